import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(root, 'dist/src/cli/index.js');

export function startServer(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcessWithoutNullStreams; output: string; base: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--quiet'], { env: { ...env, PORT: '0' } });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 20_000);
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const match = /health\s+(http:\/\/\S+)\/healthz/.exec(output);
      if (match && output.trimEnd().length > 0 && (output.includes('keep it safe') ? /sk_staff_\S+/.test(output) : true)) {
        // The banner is printed in one write; give it a moment to finish on slow pipes.
        setTimeout(() => {
          clearTimeout(timer);
          resolve({ child, output, base: match[1]! });
        }, 100);
      }
    });
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

export function stop(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

export function cli(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

