;; The module of `bench:wasm`: a no-op-sized export for call overhead and the
;; CPU-heavy checksum of packages/wasm's tests (FNV-1a, 64-bit, folded to 32
;; bits). wasm.bench.mjs assembles it with wabt into wasm/build/bench.wasm.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))

  (func (export "alloc") (param $size i32) (result i32)
    (local $pointer i32) (local $end i32) (local $have i32)
    (local.set $pointer (i32.and (i32.add (global.get $heap) (i32.const 7)) (i32.const -8)))
    (local.set $end (i32.add (local.get $pointer) (local.get $size)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then
        (if (i32.eq
              (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 65535)) (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $pointer))

  (func (export "dealloc") (param $pointer i32) (param $size i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.eqz (global.get $live)) (then (global.set $heap (i32.const 1024)))))

  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))

  (func (export "checksum") (param $pointer i32) (param $length i32) (result i32)
    (local $hash i64) (local $end i32)
    (local.set $hash (i64.const 0xcbf29ce484222325))
    (local.set $end (i32.add (local.get $pointer) (local.get $length)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pointer) (local.get $end)))
        (local.set $hash (i64.mul
          (i64.xor (local.get $hash) (i64.load8_u (local.get $pointer)))
          (i64.const 0x100000001b3)))
        (local.set $pointer (i32.add (local.get $pointer) (i32.const 1)))
        (br $next)))
    (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $hash) (i64.const 32))) (i32.wrap_i64 (local.get $hash)))))
