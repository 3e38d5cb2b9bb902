/** A WebAssembly value type, as the module's type section names it. */
export type WasmValueType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'ref';

/** The parameter and result types of an exported function. */
export interface ExportSignature {
  readonly params: readonly WasmValueType[];
  readonly results: readonly WasmValueType[];
}

const valueTypes: Record<number, WasmValueType> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'ref', 0x6f: 'ref' };

/** What a module exports: each export's kind, and each exported function's signature. */
export interface ModuleExports {
  readonly kinds: ReadonlyMap<string, WebAssembly.ImportExportKind>;
  readonly signatures: ReadonlyMap<string, ExportSignature> | undefined;
}

const exportKinds: WebAssembly.ImportExportKind[] = ['function', 'table', 'memory', 'global'];

/**
 * Reads the signature of every exported function from a module's bytes (the
 * JavaScript API gives only a function's parameter count). Returns undefined
 * for anything it does not understand (the GC proposal's types, say): the
 * caller then checks less, never wrongly.
 */
export function readExportSignatures(bytes: Uint8Array): ModuleExports | undefined {
  try {
    return read(bytes);
  } catch {
    return undefined;
  }
}

class Unsupported extends Error {}

function read(bytes: Uint8Array): ModuleExports {
  let offset = 8; // magic and version: the module has been validated already
  const byte = (): number => {
    if (offset >= bytes.length) throw new Unsupported('truncated');
    return bytes[offset++]!;
  };
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const next = byte();
      result += (next & 0x7f) * 2 ** shift;
      if ((next & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const valueType = (): WasmValueType => {
    const type = valueTypes[byte()];
    if (type === undefined) throw new Unsupported('value type');
    return type;
  };
  const vector = <Item>(item: () => Item): Item[] => Array.from({ length: leb() }, item);
  const skipLimits = (): void => {
    const flags = byte();
    leb();
    if ((flags & 1) !== 0) leb();
  };

  const types: ExportSignature[] = [];
  const functionTypes: number[] = []; // type index of each function, imported ones first
  const exported: [string, number][] = [];
  const kinds = new Map<string, WebAssembly.ImportExportKind>();
  const decoder = new TextDecoder();
  while (offset < bytes.length) {
    const section = byte();
    const size = leb();
    const end = offset + size;
    if (section === 1) {
      for (let count = leb(); count > 0; count--) {
        if (byte() !== 0x60) throw new Unsupported('type form');
        types.push({ params: vector(valueType), results: vector(valueType) });
      }
    } else if (section === 2) {
      for (let count = leb(); count > 0; count--) {
        offset += leb(); // module name
        offset += leb(); // field name
        const kind = byte();
        if (kind === 0x00) functionTypes.push(leb());
        else if (kind === 0x01) {
          valueType();
          skipLimits();
        } else if (kind === 0x02) skipLimits();
        else if (kind === 0x03) {
          valueType();
          byte();
        } else if (kind === 0x04) {
          byte();
          leb();
        } else throw new Unsupported('import kind');
      }
    } else if (section === 3) {
      functionTypes.push(...vector(leb));
    } else if (section === 7) {
      for (let count = leb(); count > 0; count--) {
        const length = leb();
        const name = decoder.decode(bytes.subarray(offset, offset + length));
        offset += length;
        const kind = byte();
        const index = leb();
        if (kind === 0x00) exported.push([name, index]);
        const exportKind = exportKinds[kind];
        if (exportKind !== undefined) kinds.set(name, exportKind);
      }
    }
    offset = end;
  }
  const signatures = new Map<string, ExportSignature>();
  for (const [name, index] of exported) {
    const signature = types[functionTypes[index] ?? -1];
    if (signature === undefined) throw new Unsupported('function index');
    signatures.set(name, signature);
  }
  return { kinds, signatures };
}
