#!/usr/bin/env node
// First of all, the lean heap (lean-heap.ts): V8 grows its young generation while the rest of the bundle is parsed;
// and the optimizing compiler's budget (jit-budget.ts), before any of mycotop's code has run.
import {useLeanHeap} from './lean-heap.js';
import {useJitBudget} from './jit-budget.js';

useLeanHeap();
useJitBudget();
// The bin entry. Colour support is read by chalk when Ink is imported, so NO_COLOR has to be turned into
// FORCE_COLOR=0 before anything imports Ink: everything else lives in main.ts, loaded afterwards.
if (process.env['NO_COLOR'] !== undefined && process.env['NO_COLOR'] !== '') process.env['FORCE_COLOR'] = '0';
const {main} = await import('./main.js');
process.exitCode = await main(process.argv.slice(2));
