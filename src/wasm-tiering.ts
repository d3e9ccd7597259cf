/**
 * Keeps undici's WebAssembly HTTP parser (llhttp) on V8's baseline compiler, Liftoff.
 *
 * By default V8 re-compiles hot WebAssembly functions with its optimising compiler, TurboFan,
 * on background threads, and the process cannot exit until those jobs finish: 100-250 ms added
 * to runs of this action, for a parser that handles a few small responses (BENCHMARKS.md).
 * A function is re-compiled once it has run through its "tiering budget"; a budget of a
 * billion (roughly bytes executed, per function) is never reached here. The budget is read
 * when a module is compiled, so it works when set at run time, on Node 20 and Node 24 alike;
 * `--liftoff-only`, which this file set before, is read only at start on Node 24. This file is
 * the entry's first import, so the flag is set before undici compiles its parser. It changes
 * only this process, which runs nothing but the action.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--wasm-tiering-budget=1000000000');
