;; The demo's WebAssembly task (see demo-tasks.ts): the start below `limit`
;; whose Collatz sequence (n -> n / 2 or 3n + 1) takes the most steps to reach 1.
;; i64 arithmetic: the sequences climb past 2^32 for starts below a million.
;; `pnpm --filter @hybridcompute/example-demo run build:wasm` assembles it into
;; longest-collatz-wasm.ts; longest-collatz-wasm.test.ts checks that they match.
(module
  (func (export "longestCollatz") (param $limit i32) (result i32)
    (local $start i32) (local $best i32) (local $bestSteps i32) (local $n i64) (local $steps i32)
    (local.set $start (i32.const 1))
    (local.set $best (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $start) (local.get $limit)))
        (local.set $n (i64.extend_i32_u (local.get $start)))
        (local.set $steps (i32.const 0))
        (block $reached
          (loop $step
            (br_if $reached (i64.eq (local.get $n) (i64.const 1)))
            (local.set $n
              (if (result i64) (i64.eqz (i64.and (local.get $n) (i64.const 1)))
                (then (i64.shr_u (local.get $n) (i64.const 1)))
                (else (i64.add (i64.mul (local.get $n) (i64.const 3)) (i64.const 1)))))
            (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
            (br $step)))
        (if (i32.gt_u (local.get $steps) (local.get $bestSteps))
          (then
            (local.set $best (local.get $start))
            (local.set $bestSteps (local.get $steps))))
        (local.set $start (i32.add (local.get $start) (i32.const 1)))
        (br $next)))
    (local.get $best)))
