/** The moderators' web console: what main.ts wires (see app.ts for the pages and their security). */
export { type BotConsole, CONSOLE_CSP, type ConsoleOptions, createConsole } from './app.js';
export { type ConsoleCommandOptions, consoleCommands } from './command.js';
export type { ConsolePorts } from './ports.js';
export type { Viewer } from './viewer.js';
export { type ConsoleWiring, consolePorts } from './wiring.js';
