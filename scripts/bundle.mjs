// Bundles the compiled CLI (dist/bin/pqsign.js), its worker entry points and the library's entry points
// (lib/index.ts, lib/kms.ts, lib/kms-server.ts: package.json's `exports`) into dist/cli/. Why: on Node 20
// the ESM loader's per-module cost (resolve, read, compile, link ~130 modules) was most of start-up; a
// bundle split at the lazy import() boundaries loads ~30 files and keeps every heavy library out of a small
// verify. The CLI and the library are one build, so they share chunks: a plugin that imports `pqsign`
// and is loaded by the CLI of the same install gets the very modules the CLI runs (one format registry,
// one ParamSet per parameter set). The package has no runtime dependencies: the library entries carry
// the same bundled code (the AWS SDK only in chunks that pqsign/kms, or an awskms:// key, loads).
// Run by `npm run build` after tsc. The workers must be entry points beside the chunks, because
// src/batch/batch.ts and src/attest/hash-pool.ts start them by `new URL('./x-worker.js', import.meta.url)`.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const OUT = 'dist/cli';
const { version } = JSON.parse(await readFile('package.json', 'utf8'));

// src/mldsa/mldsa.ts and src/mldsa/shake.ts load noble synchronously on first use with
// createRequire(import.meta.url)(...). As a plain require() esbuild bundles the module and defers its
// evaluation to that first call (__esm/__toCommonJS), instead of leaving a file lookup in node_modules.
const bundleLazyRequires = {
  name: 'bundle-lazy-requires',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/]mldsa[\\/](mldsa|shake)\.js$/ }, async ({ path }) => {
      const source = await readFile(path, 'utf8');
      const contents = source.replaceAll('createRequire(import.meta.url)(', 'require(');
      if (contents === source) throw new Error(`${path}: expected a createRequire(import.meta.url)(...) call to bundle`);
      return { contents, loader: 'js' };
    });
  },
};

await rm(OUT, { recursive: true, force: true });
const { metafile } = await build({
  entryPoints: {
    pqsign: 'dist/bin/pqsign.js',
    'verify-worker': 'dist/lib/verify-worker.js',
    'hash-worker': 'dist/src/attest/hash-worker.js',
    // the library: `pqsign`, `pqsign/kms`, `pqsign/kms-server` (package.json exports)
    index: 'dist/lib/index.js',
    kms: 'dist/lib/kms.js',
    'kms-server': 'dist/lib/kms-server.js',
  },
  outdir: OUT,
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // no externals: everything the CLI runs is in dist/cli (the AWS SDK in chunks only KMS commands load),
  // so the package has no runtime dependencies and a release tarball's SHA-256 pins all the code it runs.
  // bin/version.ts: an installed CLI has no package.json lookup to get wrong.
  define: { PQSIGN_VERSION: JSON.stringify(version) },
  // CommonJS packages inside the bundle (pkijs's noble copy, tinyglobby's picomatch) call require()
  banner: {
    js: "import { createRequire as __pqsignCreateRequire } from 'node:module'; const require = __pqsignCreateRequire(import.meta.url);",
  },
  plugins: [bundleLazyRequires],
  metafile: true,
  logLevel: 'warning',
});
// which sources went into which output file: test/cli/startup.test.ts maps the files a run loads back to modules
await writeFile(`${OUT}/meta.json`, JSON.stringify(metafile));

// The bundle carries third-party code, so the package carries its licences: one section per package.
const packageDirs = new Set(
  Object.keys(metafile.inputs).flatMap((input) => {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    return m ? [m[1]] : [];
  }),
);
const sections = new Map(); // name@version → text (nested copies of one version are one section)
for (const dir of [...packageDirs].sort()) {
  const { name, version, license } = JSON.parse(await readFile(`${dir}/package.json`, 'utf8'));
  if (sections.has(`${name}@${version}`)) continue;
  const files = (await readdir(dir)).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f)).sort();
  const texts = await Promise.all(files.map((f) => readFile(`${dir}/${f}`, 'utf8')));
  sections.set(
    `${name}@${version}`,
    `${name}@${version} (${license})\n\n${texts.join('\n').trim() || `${license}: the package ships no licence file.`}\n`,
  );
}
const sorted = [...sections].sort(([a], [b]) => a.localeCompare(b)).map(([, text]) => text);
await writeFile(
  `${OUT}/THIRD-PARTY-LICENSES.txt`,
  `Third-party code bundled into pqsign's dist/cli:\n\n${sorted.join(`\n${'-'.repeat(78)}\n\n`)}`,
);

// The library's type declarations: tsc writes one .d.ts per source into dist/types/; the package ships those
// the public entries reach (package.json exports → types), beside the bundle. test/package.test.ts checks
// that they import nothing but each other and node: (a consumer needs none of pqsign's dev dependencies).
const TYPES = 'dist/types';
const reached = new Set();
const queue = ['lib/index.d.ts', 'lib/kms.d.ts', 'lib/kms-server.d.ts'];
while (queue.length) {
  const file = queue.pop();
  if (reached.has(file)) continue;
  reached.add(file);
  const text = await readFile(join(TYPES, file), 'utf8');
  for (const [, spec] of text.matchAll(/(?:\bfrom\s*|\bimport\(\s*)'(\.[^']+)'/g))
    queue.push(join(dirname(file), spec.replace(/\.js$/, '.d.ts')));
}
for (const file of reached) {
  await mkdir(dirname(join(OUT, 'types', file)), { recursive: true });
  await copyFile(join(TYPES, file), join(OUT, 'types', file));
}
