// Before the tests: the browser tests need Debian's Chromium. Installed here when we can (root
// with apt); otherwise stop with the exact command, never skip the browser suite silently.
import { execSync } from 'node:child_process';
import fs from 'node:fs';

const chromium = process.env.SAOMA_CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  const command = 'apt-get update && apt-get install -y chromium fonts-noto-cjk';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (root && fs.existsSync('/usr/bin/apt-get')) {
    console.log(`Chromium is missing: ${command}`);
    execSync(command, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } else {
    console.error(`The browser tests need Chromium at ${chromium}. Install it with:\n  sudo ${command}`);
    process.exit(1);
  }
}
