/**
 * Keeps undici's WebAssembly HTTP parser (llhttp) on V8's baseline compiler.
 *
 * By default V8 re-compiles hot WebAssembly functions with its optimising compiler on
 * background threads, and the process cannot exit until those jobs finish: measured at
 * 100-250 ms on every run of this action on Node 20, for a parser that handles a few small
 * responses. The flag must be set before undici compiles the module, so this file is the
 * entry's first import. It changes only this process, which runs nothing but the action.
 * See BENCHMARKS.md for the numbers.
 */
import { setFlagsFromString } from 'node:v8';

setFlagsFromString('--liftoff-only');
