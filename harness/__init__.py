"""What tests and benchmarks share to drive the app from outside: servers behind HAProxy
(``cluster``), a browser tab without a browser (``protocol``), the app under a real Chromium
(``browser``) and the hostile files (``hostile``). Neither tests nor benchmarks import each
other; both import this."""
