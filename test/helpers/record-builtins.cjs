// Preloaded with NODE_OPTIONS="--require <this file>": at exit, writes the names of the Node
// built-in modules the process loaded (one per line) to the file named by RECORD_BUILTINS_FILE.
'use strict';
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const prefix = 'NativeModule ';
  const names = process.moduleLoadList
    .filter((entry) => entry.startsWith(prefix))
    .map((entry) => entry.slice(prefix.length));
  writeFileSync(String(process.env.RECORD_BUILTINS_FILE), names.join('\n'));
});
