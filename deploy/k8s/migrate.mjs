// The migration Job's command (migrate-job.yaml explains why it boots the whole service): starts
// Conveyor from the image's dist/ with the Job's environment (CONVEYOR_MIGRATIONS_RUN=true), waits
// for /health/ready, and stops it with SIGTERM. Migrations and the runtime role's grants run during
// the boot, before the port opens, and readiness checks that none is pending, so ready means done.
// Exits 0 once the service has stopped cleanly; with the service's own code (or 1) otherwise, for
// example when the boot failed.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

const readyUrl = `http://127.0.0.1:${process.env.PORT ?? '3000'}/health/ready`;
const service = spawn(process.execPath, ['--enable-source-maps', 'dist/apps/conveyor/src/main.js'], {
  stdio: 'inherit',
});
let ready = false;
service.on('exit', (code) => {
  process.exit(ready && code === 0 ? 0 : code || 1);
});
// As PID 1 of its container this process gets the kubelet's SIGTERM (a deleted Job, the deadline):
// the service drains and exits, and so does this.
process.on('SIGTERM', () => {
  service.kill('SIGTERM');
});

async function isReady() {
  try {
    return (await fetch(readyUrl)).ok;
  } catch {
    return false; // not listening yet
  }
}

while (!(await isReady())) await sleep(500);
ready = true;
service.kill('SIGTERM');
