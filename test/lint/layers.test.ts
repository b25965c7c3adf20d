/**
 * Proves that the layering zones of eslint/layers.js fire: every forbidden arrow of DESIGN.md ("Layout and
 * direction of dependencies"), written out here independently of the zones, is linted as a one-line probe file
 * placed (virtually, through `ESLint#lintText`) in the importing folder; each must be reported, and the allowed
 * imports listed below must not be. A zone that is deleted, misspelt or widened fails this file.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/** The exports of eslint/layers.js, which is plain JS (eslint.config.js loads it without a TypeScript loader). */
interface Layers {
  REPO_ROOT: string;
  LAYER_ZONES: readonly { target: string[]; from: string[]; except?: string[]; message: string }[];
  restrictedPathsOptions: { basePath: string; zones: Layers['LAYER_ZONES'] };
  layerResolver: Resolver;
  importXSettings: { 'import-x/resolver-next': Resolver[]; 'import-x/extensions': string[] };
}
interface Resolver {
  name: string;
  resolve(modulePath: string, sourceFile: string): { found: boolean; path?: string | null };
}

const layers = (await import(new URL('../../eslint/layers.js', import.meta.url).href)) as Layers;
const { REPO_ROOT, LAYER_ZONES, restrictedPathsOptions, layerResolver, importXSettings } = layers;
const RULE = 'import-x/no-restricted-paths';

/** Every folder of DESIGN.md's layout, plus the two that hold tests and benchmarks. */
const LAYERS = [
  'src/domain',
  'src/plan',
  'src/spec',
  'src/engine',
  'src/agents',
  'src/sandbox',
  'src/process',
  'src/verify',
  'src/git',
  'src/store',
  'src/server',
  'src/mcp',
  'src/doctor',
  'src/demo',
  'src/cli',
  'web',
  'test',
  'bench',
];
const LIBRARIES = [
  'src/plan',
  'src/spec',
  'src/verify',
  'src/git',
  'src/agents',
  'src/sandbox',
  'src/process',
  'src/store',
  'src/doctor',
  'src/demo',
];
const SRC_OUTSIDE_DOMAIN = [
  ...LAYERS.filter((l) => l.startsWith('src/') && l !== 'src/domain'),
  'src/index.ts',
];

type Arrow = [importer: string, imported: string];

/** The arrows DESIGN.md forbids, importer first. */
const FORBIDDEN: Arrow[] = [
  ...SRC_OUTSIDE_DOMAIN.map((l): Arrow => ['src/domain', l]),
  ['src/engine', 'src/cli'],
  ['src/engine', 'src/server'],
  ['src/engine', 'src/mcp'],
  ...LIBRARIES.flatMap((l): Arrow[] => [
    [l, 'src/cli'],
    [l, 'src/server'],
    [l, 'src/mcp'],
  ]),
  ['src/agents', 'src/engine'],
  ['src/agents', 'src/store'],
  ['src/store', 'src/engine'],
  ['src/plan', 'src/engine'],
  ['src/plan', 'src/store'],
  ...['src/git', 'src/verify'].flatMap((l): Arrow[] => [
    [l, 'src/engine'],
    [l, 'src/store'],
    [l, 'src/agents'],
  ]),
  ['web', 'src/engine'],
  ['web', 'src/store'],
  ...['src/cli', 'src/server', 'src/mcp'].flatMap((l): Arrow[] => [
    [l, 'src/store'],
    [l, 'src/git'],
    [l, 'src/plan'],
  ]),
];

/** Imports the design allows (some of them made today); a zone that catches one of these is too broad. */
const ALLOWED: Arrow[] = [
  ['src/domain', 'src/domain'],
  ...['src/plan', 'src/spec', 'src/sandbox', 'src/process', 'src/git', 'src/store'].map((l): Arrow => [
    l,
    'src/domain',
  ]),
  ['src/verify', 'src/domain'],
  ['src/verify', 'src/process'],
  ['src/agents', 'src/domain'],
  ['src/agents', 'src/process'],
  ...[
    'src/domain',
    'src/store',
    'src/agents',
    'src/git',
    'src/plan',
    'src/verify',
    'src/process',
    'src/engine',
  ].map((l): Arrow => ['src/engine', l]),
  ['src/doctor', 'src/agents'],
  ['src/doctor', 'src/git'],
  ['src/doctor', 'src/store'],
  ['src/doctor', 'src/process'],
  ['src/demo', 'src/plan'],
  ['src/demo', 'src/process'],
  ...['src/engine', 'src/domain', 'src/cli', 'src/demo', 'src/doctor', 'src/process'].map((l): Arrow => [
    'src/cli',
    l,
  ]),
  ['src/server', 'src/engine'],
  ['src/server', 'src/domain'],
  ['src/mcp', 'src/engine'],
  ['src/mcp', 'src/domain'],
  ['web', 'src/domain'],
  ['src/index.ts', 'src/store'],
  ['test', 'src/store'],
  ['test', 'src/cli'],
  ['bench', 'src/store'],
];

function inside(folder: string, file: string): boolean {
  const relative = path.relative(path.join(REPO_ROOT, folder), file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Folders of the design that do not exist yet (src/server, web/…): the real resolver finds nothing there, so
 * this stand-in resolves a relative import into them by path alone. Existing folders get the real resolver only,
 * so a broken `.js` → `.ts` mapping still fails the probes.
 */
const missingFolderResolver = {
  interfaceVersion: 3,
  name: 'layers-test:missing-folders',
  resolve(modulePath: string, sourceFile: string) {
    const resolved = path.resolve(path.dirname(sourceFile), modulePath);
    const layer = LAYERS.find((l) => inside(l, resolved));
    if (!modulePath.startsWith('.') || !layer || existsSync(path.join(REPO_ROOT, layer)))
      return { found: false };
    return { found: true, path: resolved.replace(/\.js$/, '.ts') };
  },
};

const config: Linter.Config[] = [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { 'import-x': importX as unknown as ESLint.Plugin },
    settings: {
      ...importXSettings,
      'import-x/resolver-next': [...importXSettings['import-x/resolver-next'], missingFolderResolver],
    },
    rules: { [RULE]: ['error', restrictedPathsOptions] },
  },
];
const eslint = new ESLint({ cwd: REPO_ROOT, overrideConfigFile: true, overrideConfig: config });

/** A module in `layer`: the file itself, its index.ts, its first source file, or (missing folder) index.ts. */
function moduleIn(layer: string): string {
  const folder = path.join(REPO_ROOT, layer);
  if (layer.endsWith('.ts') || !existsSync(folder))
    return layer.endsWith('.ts') ? folder : path.join(folder, 'index.ts');
  const sources = readdirSync(folder)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .sort((a, b) => Number(b === 'index.ts') - Number(a === 'index.ts') || a.localeCompare(b));
  if (sources[0] === undefined) throw new Error(`no TypeScript source in ${layer} to import`);
  return path.join(folder, sources[0]);
}

/** The messages of the rule for a probe file in `importer` that imports `source` (default: an import of `imported`). */
async function probe(
  importer: string,
  imported: string,
  source?: (specifier: string) => string,
): Promise<string[]> {
  const file = path.join(
    REPO_ROOT,
    importer.endsWith('.ts') ? path.dirname(importer) : importer,
    'layer-probe.ts',
  );
  let specifier = path.relative(path.dirname(file), moduleIn(imported)).replace(/\.ts$/, '.js');
  if (!specifier.startsWith('.')) specifier = `./${specifier}`;
  const text = source ? source(specifier) : `import '${specifier}';\n`;
  const [result] = await eslint.lintText(text, { filePath: file });
  const messages = result?.messages ?? [];
  const fatal = messages.find((m) => m.fatal);
  if (fatal) throw new Error(`probe in ${importer} did not parse: ${fatal.message}`);
  return messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('layering zones (eslint/layers.js)', () => {
  it.each(FORBIDDEN)('%s must not import %s', async (importer, imported) => {
    expect(await probe(importer, imported)).not.toEqual([]);
  });

  it.each(ALLOWED)('%s may import %s', async (importer, imported) => {
    expect(await probe(importer, imported)).toEqual([]);
  });

  describe.each(LAYER_ZONES.map((zone) => [zone.message, zone] as const))('zone: %s', (_, zone) => {
    it('names only folders of the design', () => {
      for (const folder of [...zone.target, ...zone.from]) expect([...LAYERS, 'src']).toContain(folder);
    });

    it('reports every crossing with its own message', async () => {
      for (const from of zone.from) {
        const exceptions = (zone.except ?? []).map((e) => path.join(from, e));
        const imported = zone.except
          ? SRC_OUTSIDE_DOMAIN.filter((l) => inside(from, path.join(REPO_ROOT, l)))
          : [from];
        const crossings = imported.filter((l) => !exceptions.some((e) => inside(e, path.join(REPO_ROOT, l))));
        expect(crossings).not.toEqual([]);
        for (const target of zone.target) {
          for (const crossing of crossings) {
            const messages = await probe(target, crossing);
            expect(messages, `${target} → ${crossing}`).toContainEqual(expect.stringContaining(zone.message));
          }
        }
      }
    });
  });

  it('counts type-only imports, re-exports and dynamic imports too', async () => {
    const sources = [
      (s: string) => `import type { Store } from '${s}';\nexport type Probe = Store;\n`,
      (s: string) => `export { openStore } from '${s}';\n`,
      (s: string) => `export const probe = () => import('${s}');\n`,
    ];
    for (const source of sources) expect(await probe('src/engine', 'src/store', source)).toEqual([]);
    for (const source of sources) expect(await probe('src/cli', 'src/store', source)).toHaveLength(1);
  });

  it('resolves the .js specifiers of TypeScript sources to the .ts files', () => {
    const found = layerResolver.resolve(
      '../store/index.js',
      path.join(REPO_ROOT, 'src/engine/layer-probe.ts'),
    );
    expect(found).toEqual({ found: true, path: path.join(REPO_ROOT, 'src/store/index.ts') });
  });
});

describe('import-x settings (eslint/layers.js)', () => {
  it('let no-cycle follow imports between TypeScript files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gaffer-lint-cycle-'));
    try {
      writeFileSync(
        path.join(dir, 'a.ts'),
        "import { b } from './b.js';\nexport const a = (): number => b();\n",
      );
      writeFileSync(
        path.join(dir, 'b.ts'),
        "import { a } from './a.js';\nexport const b = (): number => a();\n",
      );
      const cycles = new ESLint({
        cwd: dir,
        overrideConfigFile: true,
        overrideConfig: [{ ...config[0], rules: { 'import-x/no-cycle': 'error' } }],
      });
      const results = await cycles.lintFiles(['a.ts']);
      expect(results[0]?.messages.map((m) => m.ruleId)).toEqual(['import-x/no-cycle']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('eslint.config.js', () => {
  const project = new ESLint({ cwd: REPO_ROOT });

  it.each([...new Set(LAYER_ZONES.flatMap((zone) => zone.target))])(
    'applies the zones and the import-x settings of eslint/layers.js to %s',
    async (folder) => {
      const effective = (await project.calculateConfigForFile(
        path.join(REPO_ROOT, folder, 'x.ts'),
      )) as Linter.Config;
      const [severity, options] = (effective.rules?.[RULE] ?? []) as [unknown, unknown];
      expect([2, 'error']).toContain(severity);
      expect(options).toEqual(restrictedPathsOptions);
      const settings = effective.settings as Layers['importXSettings'];
      expect(settings['import-x/extensions']).toEqual(importXSettings['import-x/extensions']);
      const resolvers = settings['import-x/resolver-next'];
      expect(resolvers.map((r) => r.name)).toEqual([layerResolver.name]);
      const found = resolvers[0]?.resolve('../store/index.js', path.join(REPO_ROOT, 'src/engine/x.ts'));
      expect(found?.path).toBe(path.join(REPO_ROOT, 'src/store/index.ts'));
    },
  );
});
