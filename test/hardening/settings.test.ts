/**
 * Settings that pick credentials or decide what runs in a cluster: `netlens.kubeconfig` (its
 * credential plugins run), `netlens.context` (which user and plugin), `netlens.debugImage` (runs
 * in the user's pods) and `netlens.connectivity.nodeDebug` (privileged node pods). Each is
 * `machine`-scoped, listed in `restrictedConfigurations`, and read by config.ts from user or
 * machine settings only. And the node debug setting's flow: "never" refuses whoever asks, "ask"
 * confirms every pod; the CLI has no way to create one.
 */
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_NODE_DEBUG,
  NODE_DEBUG_OFF,
  NODE_DEBUG_SETTINGS,
  nodeDebugDecision,
  parseNodeDebugSetting,
} from '../../src/core/connectivity/node-debug-setting';
import { MACHINE_SETTINGS, userOrDefault } from '../../src/extension/setting-scopes';

const ROOT = path.join(__dirname, '../..');
const source = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');

interface SettingSchema {
  scope?: string;
  default?: unknown;
  enum?: unknown[];
}
interface Manifest {
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  contributes: { configuration: { properties: Record<string, SettingSchema> } };
}
const pkg = JSON.parse(source('package.json')) as Manifest;
const properties = pkg.contributes.configuration.properties;

describe('hardening: settings that pick credentials or run code', () => {
  it('each is machine-scoped and restricted in untrusted workspaces; no other setting is machine-scoped or restricted', () => {
    const sensitive = MACHINE_SETTINGS.map((k) => `netlens.${k}`);
    for (const key of sensitive) {
      assert.ok(properties[key], `${key} is not declared in package.json`);
      assert.equal(properties[key]!.scope, 'machine', `${key}: scope`);
    }
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual([...(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [])].sort(), [...sensitive].sort(), 'restrictedConfigurations');
    const machineScoped = Object.entries(properties).filter(([, s]) => s.scope === 'machine' || s.scope === 'application' || s.scope === 'machine-overridable').map(([k]) => k);
    assert.deepEqual(machineScoped.sort(), [...sensitive].sort(), 'the machine-scoped settings are exactly the sensitive ones');
    // A new setting whose name says it picks a file, a command, an image or credentials must join the list.
    for (const key of Object.keys(properties)) {
      if (/kubeconfig|context|image|command|exec|plugin|token|credential|debug/i.test(key.replace(/^netlens\./, ''))) assert.ok(sensitive.includes(key), `${key} looks sensitive but is not in MACHINE_SETTINGS`);
    }
  });

  it('config.ts reads each of them from user or machine settings only: workspace and folder values never count', () => {
    // The helper config.ts uses for them.
    assert.equal(userOrDefault({ defaultValue: 'd', workspaceValue: 'w', workspaceFolderValue: 'f' }), 'd');
    assert.equal(userOrDefault({ defaultValue: 'd', globalValue: 'g', workspaceValue: 'w', workspaceFolderValue: 'f' }), 'g');
    assert.equal(userOrDefault({ globalValue: '', workspaceValue: '/tmp/evil-kubeconfig' }), '');
    assert.equal(userOrDefault({ workspaceValue: 'never' }), undefined);
    assert.equal(userOrDefault(undefined), undefined);
    // And config.ts reads every sensitive key through it, never with conf.get.
    const config = source('src/extension/config.ts');
    assert.match(config, /const machine = \(key: MachineSetting\): unknown => userOrDefault\(conf\.inspect<unknown>\(key\)\);/);
    for (const key of MACHINE_SETTINGS) {
      assert.match(config, new RegExp(`(text|machine)\\('${key.replace('.', '\\.')}'\\)`), `config.ts reads netlens.${key} through machine()/text()`);
      assert.doesNotMatch(config, new RegExp(`conf\\.get(<[^>]*>)?\\('${key.replace('.', '\\.')}'\\)`), `config.ts reads netlens.${key} with conf.get`);
    }
  });

  describe('netlens.connectivity.nodeDebug', () => {
    it('package.json declares the values the code knows, "ask" by default', () => {
      const schema = properties['netlens.connectivity.nodeDebug']!;
      assert.deepEqual(schema.enum, [...NODE_DEBUG_SETTINGS]);
      assert.equal(schema.default, DEFAULT_NODE_DEBUG);
      assert.equal(DEFAULT_NODE_DEBUG, 'ask');
    });

    it('parsing: known values pass; anything else is reported and becomes "ask" (every pod still confirmed)', () => {
      const problems: string[] = [];
      const parse = (v: unknown): string => parseNodeDebugSetting(v, (m) => problems.push(m));
      assert.deepEqual([parse('ask'), parse('never'), parse(undefined), parse(null)], ['ask', 'never', 'ask', 'ask']);
      assert.deepEqual(problems, []);
      assert.deepEqual([parse('always'), parse(true), parse('NEVER')], ['ask', 'ask', 'ask']);
      assert.equal(problems.length, 3);
      assert.match(problems[0]!, /^netlens\.connectivity\.nodeDebug: expected one of ask, never, got "always"; using "ask"/);
    });

    it('the decision: "never" refuses even a caller that confirmed; "ask" asks unless the caller confirmed', () => {
      assert.deepEqual(nodeDebugDecision('never', false), { action: 'refuse', message: NODE_DEBUG_OFF });
      assert.deepEqual(nodeDebugDecision('never', true), { action: 'refuse', message: NODE_DEBUG_OFF });
      assert.deepEqual(nodeDebugDecision('ask', false), { action: 'ask' });
      assert.deepEqual(nodeDebugDecision('ask', true), { action: 'proceed' });
      assert.match(NODE_DEBUG_OFF, /netlens\.connectivity\.nodeDebug setting is "never"/);
    });

    it('the extension decides before anything else happens: no permission check, plan or pod without the decision', () => {
      const controller = source('src/extension/connectivity/controller.ts');
      const start = controller.indexOf('async checkConntrack(');
      assert.ok(start > 0);
      const body = controller.slice(start);
      const decide = body.indexOf('nodeDebugDecision(');
      const refuse = body.indexOf("if (decision.action === 'refuse')");
      const plan = body.indexOf('planNodeConntrack(');
      const ask = body.indexOf("decision.action === 'ask' && !(await this.confirmations.nodeDebugPod(");
      const create = body.indexOf('runtime.runNodeConntrack(');
      assert.ok(decide > 0 && decide < refuse && refuse < plan && plan < ask && ask < create, 'decide → refuse → plan → ask → create');
      assert.ok(body.indexOf('loadConnectivityRuntime(') > refuse, 'the cluster layer is not even loaded when refused');
      // The only places in src/extension that plan or run a node debug pod are in checkConntrack.
      assert.equal(controller.split('planNodeConntrack(').length - 1, 1);
      assert.equal(controller.split('runNodeConntrack(').length - 1, 1);
    });

    it('the CLI never creates node debug pods (it never writes to a cluster at all)', () => {
      const dir = path.join(ROOT, 'src/cli');
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
        const text = readFileSync(path.join(dir, file), 'utf8');
        assert.doesNotMatch(text, /node-debug|NodeDebugPod|runNodeConntrack|planNodeConntrack|cluster\/debug\//, `src/cli/${file}`);
      }
    });
  });
});
