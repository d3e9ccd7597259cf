// Loaded with NODE_OPTIONS=--require by a test, to show which Node ran the bundled action.
process.stderr.write(`action ran on node ${process.version}\n`);
