// ESLint: typescript-eslint's recommended rules, plus the project's layering encoded as import bans.
// `npm run lint` (part of `npm test`).
import tseslint from 'typescript-eslint';

/** A relative import reaching a top-level folder of the project (`../infra/config`, `../../test/support/x`). */
const topLevel = (...folders) => `^(\\.\\./)+(${folders.join('|')})(/|$)`;

/** emulator/ is self-contained: it imports nothing of the project outside emulator/. */
const EMULATOR_IS_SELF_CONTAINED = {
  regex: topLevel('infra', 'template', 'statemachines', 'mocks', 'local', 'scripts', 'test', 'bench'),
  message: 'emulator/ imports nothing of the project outside emulator/ (it is the self-contained engine).',
};

/** emulator/asl is the parsed model: it knows nothing of how it is executed or served. */
const ASL_KNOWS_NO_API = {
  regex: '(^|/)api(/|$)',
  message: 'emulator/asl imports nothing of emulator/api.',
};
const ASL_KNOWS_NO_RUNTIME = {
  regex: '(^|/)runtime(/|$)',
  message: 'emulator/asl imports nothing of emulator/runtime.',
};

const bans = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'dist/', 'coverage/', 'reports/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed parameters and destructured leftovers are deliberate (interface shapes, omitting a key).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  { files: ['emulator/**/*.ts'], rules: bans(EMULATOR_IS_SELF_CONTAINED) },
  { files: ['emulator/asl/**/*.ts'], rules: bans(EMULATOR_IS_SELF_CONTAINED, ASL_KNOWS_NO_API, ASL_KNOWS_NO_RUNTIME) },
  {
    files: ['statemachines/**/*.ts'],
    rules: bans({ regex: topLevel('infra'), message: 'statemachines/ imports nothing of infra/ (infra deploys the workflows).' }),
  },
  {
    files: ['local/**/*.ts'],
    rules: bans({ regex: topLevel('test'), message: 'local/ imports nothing of test/ (the tests use the local cloud, not the reverse).' }),
  },
);
