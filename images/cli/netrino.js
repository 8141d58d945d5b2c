#!/usr/bin/env node
// Entry shim: runs the CLI (images/cli/main.ts) from the cached esbuild bundle of the runtime
// (bundle-cache.js; rebuilt when a source file changes), or through the tsx loader when the
// bundle cannot be built or NETRINO_NO_BUNDLE=1 is set. Tests import the sources directly.
// NETRINO_ENSURE_DEPS=1 first installs node_modules on a fresh clone (ensure-deps.js) in this
// same process, saving `npm start` the second Node start of a prestart script.
import { bundledMainUrl, trace } from "./bundle-cache.js";

const env = process.env;
trace(env, "netrino.js started");
if (env.NETRINO_ENSURE_DEPS) {
  await import("./ensure-deps.js");
  trace(env, "dependencies checked");
}

async function loadMain() {
  if (!env.NETRINO_NO_BUNDLE) {
    const url = await bundledMainUrl(env);
    if (url) {
      try {
        return (await import(url)).main;
      } catch (e) {
        trace(env, `bundle did not load (${e instanceof Error ? e.message : String(e)}); using tsx`);
      }
    }
  }
  const { register } = await import("tsx/esm/api");
  register();
  return (await import("./main.ts")).main;
}

const main = await loadMain();
trace(env, "main loaded");
process.exitCode = await main(process.argv.slice(2));
