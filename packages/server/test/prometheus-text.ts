/**
 * Reads Prometheus text exposition into `name{label="value",...}` → value,
 * labels sorted by name, and fails on any line that is neither a comment nor
 * a sample: a malformed exposition fails the test that reads it.
 */
export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|[Nn]a[Nn]|\+Inf|-Inf)(?: \d+)?$/.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample: ${JSON.stringify(line)}`);
    const [, name, labelText, value] = match as unknown as [string, string, string | undefined, string];
    const labels: string[] = [];
    if (labelText !== undefined && labelText !== '') {
      const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
      let consumed = 0;
      for (const label of labelText.matchAll(labelPattern)) {
        labels.push(`${label[1]}="${label[2]}"`);
        consumed += label[0].length;
      }
      if (consumed !== labelText.length) throw new Error(`malformed labels: ${JSON.stringify(line)}`);
    }
    labels.sort();
    samples.set(labels.length === 0 ? name : `${name}{${labels.join(',')}}`, Number(value));
  }
  return samples;
}
