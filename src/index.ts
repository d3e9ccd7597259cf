import { run } from './main.js';

// run() reports every failure itself (setFailed), so there is nothing left to catch here.
void run();
