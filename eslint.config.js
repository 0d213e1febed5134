// Lint for structure, not style: no import cycles, and the layers of the code base
// (see README). Every rule here is about who may import whom; there is no style guide.
import fs from 'node:fs';
import path from 'node:path';
import tsParser from '@typescript-eslint/parser';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const root = import.meta.dirname;
const at = (...segments) => path.join(root, ...segments);

// The vendor folders under emulator/apis/: the ones planned, plus any that exist on disk,
// so a new vendor is fenced off from the others without editing this file.
const planned = ['speechmatics', 'assemblyai', 'gladia', 'cadence', 'stenomatic'];
const onDisk = fs
  .readdirSync(at('emulator', 'apis'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const vendors = [...new Set([...planned, ...onDisk])].sort();

// Paths without glob characters name a folder (everything under it) or a single file.
const composition = [at('emulator', 'serve-command.ts'), at('emulator', 'compose.ts'), at('emulator', 'start-emulator.ts')];

const layerZones = [
  {
    target: at('openapi'),
    from: [at('emulator'), at('conformance')],
    message: 'openapi/ is the neutral spec-reading layer: it imports nothing from emulator/ or conformance/.',
  },
  {
    target: at('emulator', 'engine'),
    from: [at('emulator', 'core'), at('emulator', 'apis'), at('emulator', 'hosts'), at('conformance'), ...composition],
    message: 'the engine is below core: emulator/engine/ imports nothing from emulator/core|apis|hosts/, the composition or conformance/.',
  },
  {
    target: at('emulator', 'core'),
    from: [at('emulator', 'apis'), at('emulator', 'hosts'), at('conformance'), ...composition],
    message: 'core knows no vendor: hand vendors in from emulator/compose.ts (core imports nothing from emulator/apis|hosts/, conformance/, serve-command.ts or compose.ts).',
  },
  {
    target: at('emulator', 'apis'),
    from: [at('emulator', 'hosts'), at('conformance'), ...composition],
    message: 'vendors know no host: emulator/apis/ imports nothing from emulator/hosts/, conformance/, emulator/serve-command.ts or emulator/compose.ts.',
  },
  ...vendors.map((vendor) => ({
    target: at('emulator', 'apis', vendor),
    from: vendors.filter((other) => other !== vendor).map((other) => at('emulator', 'apis', other)),
    message: `one vendor knows no other: emulator/apis/${vendor}/ imports nothing from another vendor's folder; share through emulator/core/ or emulator/engine/.`,
  })),
  {
    target: at('emulator', 'hosts'),
    from: [at('emulator', 'apis'), at('conformance')],
    message: 'hosts know no vendor: emulator/hosts/ imports nothing from emulator/apis/ or conformance/; vendors come in through the composition.',
  },
  {
    target: at('conformance'),
    from: [at('emulator')],
    message: 'the runner knows no emulator internals: conformance/ imports nothing from emulator/ (only *.test.ts and conformance/testing/ may start the emulator).',
  },
  {
    target: at('conformance'),
    from: [at('conformance', 'testing')],
    message: 'the runner does not lean on test helpers: conformance/testing/ is for tests only.',
  },
];

export default [
  {
    // Besides node_modules/ and .git/ (always ignored): test inputs, and generated or
    // temporary output (see .gitignore).
    ignores: ['fixtures/**', 'coverage/**', 'dist/**', 'tmp/**'],
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tsParser,
      ecmaVersion: 'latest',
      sourceType: 'module',
    },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: at('tsconfig.json') })],
    },
    rules: {
      // An import the resolver cannot follow would be invisible to the two rules below.
      'import-x/no-unresolved': 'error',
      // Runtime cycles only: `import type` is erased, so it cannot make one.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    // The layers. Tests and test helpers may reach across them (e.g. to start the emulator).
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**'],
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
    },
  },
];
