// Preloaded into jsii's kernel by tools/kernel/kernel. The kernel reads its
// requests from fd 3 and writes its responses to fd 3, which its stock
// launcher creates as one socket. Started directly, fd 3 is a copy of the
// Go side's stdin (readable only) and fd 4 a copy of its stdout: responses
// written to fd 3 go to fd 4. No other file can get fd 3 while it is open.
"use strict";
const fs = require("node:fs");
const writeSync = fs.writeSync;
fs.writeSync = (fd, ...rest) => writeSync(fd === 3 ? 4 : fd, ...rest);
