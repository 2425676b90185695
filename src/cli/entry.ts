// The process entry of the ferry command: bin/ferry.js loads the compiled copy of this file.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
