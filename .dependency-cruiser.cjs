/** Import-direction rules: the core stays platform-neutral, adapters stay apart, no cycles. */
const SDKS = '^(grammy|@grammyjs|@whiskeysockets|bullmq|ioredis|pino|express|@bull-board|prom-client|qrcode-terminal)';
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-imports-no-sdk',
      comment: 'src/core is platform-neutral: no chat SDK, queue, Redis or logger imports.',
      severity: 'error',
      from: { path: '^src/core' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer'], path: SDKS },
    },
    {
      name: 'core-imports-only-core',
      comment: 'The core depends on nothing else in src.',
      severity: 'error',
      from: { path: '^src/core' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'content-imports-no-sdk',
      severity: 'error',
      from: { path: '^src/content' },
      to: { path: '^src/(adapters|scheduling|main)' },
    },
    {
      name: 'adapters-apart',
      comment: 'An adapter never imports another adapter.',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/([^/]+)/', pathNot: '^src/adapters/$1/' },
    },
    {
      name: 'community-and-scheduling-use-no-adapter',
      comment: 'Platform features reach adapters through the ports in src/core/adapter.ts.',
      severity: 'error',
      from: { path: '^src/(community|scheduling|content)' },
      to: { path: '^src/adapters' },
    },
    {
      name: 'only-config-reads-env',
      comment: 'Adapters and core get their settings passed in; main.ts wires them.',
      severity: 'error',
      from: { path: '^src/(core|content|adapters|scheduling|community|ops)' },
      to: { path: '^src/(config|main)\\.ts$' },
    },
    {
      name: 'platform-sdks-load-lazily',
      comment:
        'A platform SDK is loaded only when that platform is enabled (Baileys alone is about 50 MB): ' +
        'main.ts imports the Telegram and WhatsApp adapters with a dynamic import().',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/adapters/(telegram|whatsapp)/' },
      to: {
        path: '^(src/adapters/(telegram|whatsapp)/|node_modules/(grammy|@grammyjs|@whiskeysockets|qrcode-terminal)/)',
        pathNot: '^src/adapters/(whatsapp/(moderators|format)|telegram/render)\\.ts$',
        dynamic: false,
        dependencyTypesNot: ['type-only'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
