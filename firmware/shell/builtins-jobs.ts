// Job-control builtins: jobs, fg, bg, kill, wait.
import type { Builtin } from "./builtin-types.ts";
import { err, out } from "./builtin-types.ts";
import type { Shell } from "./interp.ts";
import type { Job } from "./jobs.ts";
import { signalName, SIGNALS } from "./signals.ts";

function pickJob(sh: Shell, spec: string | undefined): Job | undefined {
  return spec === undefined ? sh.jobs.current() : sh.jobs.find(spec);
}

function sendToJob(sh: Shell, job: Job, sig: string): void {
  if (job.pgid !== null) sh.os.kill(-job.pgid, sig);
  else for (const p of job.procs) if (p.proc && p.status === null) p.proc.signal(sig);
}

export const jobsBuiltin: Builtin = async (sh, argv, io) => {
  const long = argv.includes("-l");
  const pidsOnly = argv.includes("-p");
  // Report finished jobs here rather than at the next prompt.
  for (const job of sh.jobs.jobs.slice()) {
    if (pidsOnly) await out(sh, io, `${job.lastPid}\n`);
    else await out(sh, io, sh.jobs.format(job, long) + "\n");
    if (job.state === "done") {
      job.notified = true;
      sh.jobs.remove(job);
    }
  }
  return 0;
};

export const fgBuiltin: Builtin = async (sh, argv, io) => {
  if (!sh.opts.monitor && !sh.opts.interactive) return err(sh, io, "fg", "job control not enabled");
  const job = pickJob(sh, argv[1]);
  if (!job) return err(sh, io, "fg", argv[1] ? `${argv[1]}: no such job` : "no current job");
  await out(sh, io, job.text + "\n");
  job.continued();
  sendToJob(sh, job, "SIGCONT");
  return sh.waitForeground(job, io);
};

export const bgBuiltin: Builtin = async (sh, argv, io) => {
  const specs = argv.length > 1 ? argv.slice(1) : [undefined];
  let status = 0;
  for (const spec of specs) {
    const job = pickJob(sh, spec);
    if (!job) {
      status = await err(sh, io, "bg", spec ? `${spec}: no such job` : "no current job");
      continue;
    }
    job.continued();
    job.changed();
    sendToJob(sh, job, "SIGCONT");
    await out(sh, io, `[${job.id}] ${job.text} &\n`);
  }
  return status;
};

export const killBuiltin: Builtin = async (sh, argv, io) => {
  let sig = "SIGTERM";
  let i = 1;
  if (argv[1] === "-l") {
    const n = argv[2];
    if (n !== undefined) {
      const num = Number(n) > 128 ? Number(n) - 128 : Number(n);
      const name = signalName(String(num));
      if (!name) return err(sh, io, "kill", `${n}: bad signal`);
      await out(sh, io, name.slice(3) + "\n");
      return 0;
    }
    let text = "";
    for (const [name, num] of SIGNALS) text += `${String(num).padStart(2)} ${name}\n`;
    await out(sh, io, text);
    return 0;
  }
  if (argv[1] === "-s" || argv[1] === "-n") {
    const name = argv[2] === undefined ? null : signalName(argv[2]);
    if (!name) return err(sh, io, "kill", `${argv[2] ?? ""}: bad signal`);
    sig = name;
    i = 3;
  } else if (argv[1]?.startsWith("-") && argv[1] !== "--") {
    const name = signalName(argv[1].slice(1));
    if (!name) return err(sh, io, "kill", `${argv[1].slice(1)}: bad signal`);
    sig = name;
    i = 2;
  } else if (argv[1] === "--") i = 2;
  const targets = argv.slice(i);
  if (targets.length === 0) {
    await sh.write(
      io,
      2,
      "usage: kill [-s signame | -signum | -signame] {pid | job}...\n       kill -l [exit_status]\n",
    );
    return 1;
  }
  let status = 0;
  for (const t of targets) {
    try {
      if (t.startsWith("%")) {
        const job = sh.jobs.find(t);
        if (!job) {
          status = await err(sh, io, "kill", `${t}: no such job`);
          continue;
        }
        sendToJob(sh, job, sig);
        // A stopped job must run to act on the signal.
        if (job.state === "stopped" && sig !== "SIGCONT" && sig !== "SIGKILL") sendToJob(sh, job, "SIGCONT");
      } else if (/^-?\d+$/.test(t)) sh.os.kill(Number(t), sig);
      else status = await err(sh, io, "kill", `${t}: arguments must be jobs or process ids`);
    } catch (e) {
      status = await err(sh, io, "kill", `${t}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return status;
};

export const waitBuiltin: Builtin = async (sh, argv, io) => {
  const targets = argv.length > 1 ? argv.slice(1).map((s) => ({ s, job: sh.jobs.find(s) })) : null;
  let status = 0;
  if (targets === null) {
    for (const job of sh.jobs.jobs.slice()) {
      await sh.interruptible(job.settle());
      if (job.state === "done") {
        await Promise.allSettled(job.internal);
        job.notified = true;
        sh.jobs.remove(job);
      }
    }
    return 0;
  }
  for (const { s, job } of targets) {
    if (!job) {
      status = 127;
      await err(sh, io, "wait", `${s}: unknown job`, 127);
      continue;
    }
    await sh.interruptible(job.settle());
    status = job.status;
    if (job.state === "done") {
      await Promise.allSettled(job.internal);
      job.notified = true;
      sh.jobs.remove(job);
    }
  }
  return status;
};
