#!/usr/bin/env node
// Entry point of the CLI. The sources are TypeScript run through Node's type stripping.
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
