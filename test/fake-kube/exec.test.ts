import * as k8s from '@kubernetes/client-node';
import { strict as assert } from 'node:assert';
import { PassThrough, Readable } from 'node:stream';
import type WebSocket from 'ws';
import { V4 } from '../support/fake-kube/exec';
import { eventually, expectApiError, rawRequest, startHarness, stopHarness, type Harness } from './helpers';

interface ExecOutcome {
  stdout: string;
  stderr: string;
  status: k8s.V1Status;
  protocol: string;
}

/** Runs one exec through client-node and waits for the status channel and the socket close. */
async function runExec(
  kc: k8s.KubeConfig,
  namespace: string,
  pod: string,
  container: string,
  command: string[],
  stdin: Readable | null = null,
): Promise<ExecOutcome> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  let resolveStatus!: (s: k8s.V1Status) => void;
  const status = new Promise<k8s.V1Status>((resolve) => {
    resolveStatus = resolve;
  });
  const ws = (await new k8s.Exec(kc).exec(namespace, pod, container, command, stdout, stderr, stdin, false, (s) => resolveStatus(s))) as WebSocket;
  const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const result = await status;
  await closed;
  return { stdout: out, stderr: err, status: result, protocol: ws.protocol };
}

function exitCode(status: k8s.V1Status): number | undefined {
  if (status.status === 'Success') return 0;
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return cause ? Number(cause.message) : undefined;
}

describe('fake-kube: exec over WebSocket (client-node 1.4.0)', () => {
  let h: Harness;
  afterEach(async () => {
    await stopHarness(h?.fake);
  });

  it('negotiates v5 and delivers stdout, stderr and a non-zero exit code on the status channel', async () => {
    h = await startHarness();
    h.fake.hooks.setExecHandler(({ argv, container }) => ({
      stdout: `hello from ${container}\n`,
      stderr: `nc: connect to 10.0.0.1 port 5432 (tcp) failed: Connection refused\n`,
      exitCode: argv.includes('fail') ? 1 : 0,
    }));
    const failed = await runExec(h.kc, 'shop', 'web-1', 'app', ['nc', '-zv', 'fail']);
    assert.equal(failed.protocol, 'v5.channel.k8s.io');
    assert.equal(failed.stdout, 'hello from app\n');
    assert.match(failed.stderr, /Connection refused/);
    assert.deepEqual(JSON.parse(JSON.stringify(failed.status)), {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [nc -zv fail], exit code 1',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '1' }] },
    });
    assert.equal(exitCode(failed.status), 1);
    const ok = await runExec(h.kc, 'shop', 'web-1', 'app', ['true']);
    assert.deepEqual(JSON.parse(JSON.stringify(ok.status)), { metadata: {}, status: 'Success' });
    assert.equal(exitCode(ok.status), 0);
    const calls = h.fake.hooks.execCalls();
    assert.deepEqual(
      calls.map((c) => [c.namespace, c.pod, c.container, c.argv.join(' '), c.protocol]),
      [
        ['shop', 'web-1', 'app', 'nc -zv fail', 'v5.channel.k8s.io'],
        ['shop', 'web-1', 'app', 'true', 'v5.channel.k8s.io'],
      ],
    );
    assert.deepEqual(calls[0].streams, { stdin: false, stdout: true, stderr: true });
    const upgrade = h.fake.requests().find((r) => r.upgrade);
    assert.equal(upgrade?.status, 101);
    assert.deepEqual(new URLSearchParams(upgrade?.query).getAll('command'), ['nc', '-zv', 'fail']);
  });

  it('defaults to "command not found" (exit 127) and reports internal errors without an exit code', async () => {
    h = await startHarness();
    const missing = await runExec(h.kc, 'shop', 'web-1', 'app', ['dig', 'web']);
    assert.equal(exitCode(missing.status), 127);
    assert.equal(missing.stderr, 'dig: command not found\n');
    h.fake.hooks.setExecHandler(() => ({ internalError: 'OCI runtime exec failed: exec: "dig": executable file not found in $PATH' }));
    const internal = await runExec(h.kc, 'shop', 'web-1', 'app', ['dig']);
    assert.equal(internal.status.reason, 'InternalError');
    assert.equal(internal.status.code, 500);
    assert.equal(exitCode(internal.status), undefined);
    assert.match(String(internal.status.message), /^Internal error occurred: OCI runtime exec failed/);
    h.fake.hooks.setExecHandler(() => {
      throw new Error('script bug');
    });
    assert.equal((await runExec(h.kc, 'shop', 'web-1', 'app', ['x'])).status.message, 'Internal error occurred: script bug');
  });

  it('reads stdin until the v5 close frame', async () => {
    h = await startHarness();
    h.fake.hooks.setExecHandler(({ stdin }) => ({ stdout: stdin.toUpperCase(), exitCode: 0 }));
    const result = await runExec(h.kc, 'shop', 'db-0', 'postgres', ['cat'], Readable.from(['select 1;', '\n']));
    assert.equal(result.stdout, 'SELECT 1;\n');
    assert.equal(h.fake.hooks.execCalls()[0].streams.stdin, true);
  });

  it('falls back to v4 when the server only speaks v4', async () => {
    h = await startHarness({ execProtocols: [V4] });
    h.fake.hooks.setExecHandler(() => ({ stdout: 'v4 says hi', exitCode: 2 }));
    const result = await runExec(h.kc, 'shop', 'web-2', 'app', ['sh', '-c', 'exit 2']);
    assert.equal(result.protocol, 'v4.channel.k8s.io');
    assert.equal(result.stdout, 'v4 says hi');
    assert.equal(exitCode(result.status), 2);
  });

  it('execs into a running ephemeral container and rejects one that is not running', async () => {
    h = await startHarness({ kubelet: { auto: false } });
    await h.core.patchNamespacedPodEphemeralcontainers(
      { namespace: 'shop', name: 'web-1', body: { spec: { ephemeralContainers: [{ name: 'probe', image: 'nicolaka/netshoot', command: ['sleep', '3600'] }] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    await assert.rejects(runExec(h.kc, 'shop', 'web-1', 'probe', ['true']), (err: { message?: string }) => {
      assert.equal(err.message, 'Unexpected server response: 500');
      return true;
    });
    assert.equal(h.fake.requests().at(-1)?.status, 500);
    h.fake.hooks.startContainer('shop', 'web-1', 'probe');
    h.fake.hooks.setExecHandler(({ container }) => ({ stdout: container, exitCode: 0 }));
    assert.equal((await runExec(h.kc, 'shop', 'web-1', 'probe', ['true'])).stdout, 'probe');
    h.fake.hooks.terminate('shop', 'web-1', 'probe', 0);
    await assert.rejects(runExec(h.kc, 'shop', 'web-1', 'probe', ['true']));
  });

  it('rejects upgrades for unknown pods and containers, and without permission', async () => {
    h = await startHarness();
    const status = async (pod: string, container: string): Promise<string> => {
      try {
        await runExec(h.kc, 'shop', pod, container, ['true']);
        return 'ok';
      } catch (err) {
        return String((err as { message?: string }).message);
      }
    };
    assert.equal(await status('ghost', 'app'), 'Unexpected server response: 404');
    assert.equal(await status('web-1', 'nope'), 'Unexpected server response: 400');
    h.fake.hooks.setRbac({ rules: [{ verbs: ['create'], resources: ['pods/exec'], allow: false }] });
    assert.equal(await status('web-1', 'app'), 'Unexpected server response: 403');
    h.fake.hooks.setRbac({ rules: [{ verbs: ['get'], resources: ['pods/exec'], allow: false }] });
    assert.equal(await status('web-1', 'app'), 'Unexpected server response: 403');
    h.fake.hooks.resetRbac();
    h.fake.hooks.expireToken(h.fake.token);
    assert.equal(await status('web-1', 'app'), 'Unexpected server response: 401');
  });

  it('authorizes a WebSocket exec as get and/or create according to the mode', async () => {
    h = await startHarness({ execAuthorization: 'get' });
    h.fake.hooks.setExecHandler(() => ({ exitCode: 0 }));
    h.fake.hooks.setRbac({ rules: [{ verbs: ['create'], resources: ['pods/exec'], allow: false }] });
    assert.equal(exitCode((await runExec(h.kc, 'shop', 'web-1', 'app', ['true'])).status), 0, 'before 1.35 get is enough');
    await stopHarness(h.fake);
    h = await startHarness({ execAuthorization: 'either' });
    h.fake.hooks.setExecHandler(() => ({ exitCode: 0 }));
    h.fake.hooks.setRbac({ rules: [{ verbs: ['get'], resources: ['pods/exec'], allow: false }] });
    assert.equal(exitCode((await runExec(h.kc, 'shop', 'web-1', 'app', ['true'])).status), 0, 'either verb is enough');
  });

  it('answers 400 "Upgrade request required" to plain GET and POST', async () => {
    h = await startHarness();
    for (const method of ['GET', 'POST']) {
      const res = await rawRequest(h.fake, method, '/api/v1/namespaces/shop/pods/web-1/exec?command=true&stdout=true');
      assert.equal(res.status, 400);
      const body = JSON.parse(res.body) as { reason: string; message: string };
      assert.equal(body.reason, 'BadRequest');
      assert.equal(body.message, 'Upgrade request required');
    }
  });

  it('serves pod logs set by a hook (the no-WebSocket probe path)', async () => {
    h = await startHarness();
    h.fake.hooks.setLogs('shop', 'db-0', 'postgres', 'Connection to 10.244.0.11 80 port [tcp/http] succeeded!\n');
    const log = await h.core.readNamespacedPodLog({ namespace: 'shop', name: 'db-0', container: 'postgres' });
    assert.equal(log, 'Connection to 10.244.0.11 80 port [tcp/http] succeeded!\n');
    assert.equal(await h.core.readNamespacedPodLog({ namespace: 'shop', name: 'web-1' }), '', 'the only container is the default');
    const body = await expectApiError(h.core.readNamespacedPodLog({ namespace: 'shop', name: 'db-0', container: 'nope' }), 400);
    assert.equal(body.message, 'container nope is not valid for pod db-0');
  });

  it('closes exec sessions on server close', async () => {
    h = await startHarness();
    let release!: () => void;
    h.fake.hooks.setExecHandler(() => new Promise((resolve) => (release = () => resolve({ exitCode: 0 }))));
    const pending = runExec(h.kc, 'shop', 'web-1', 'app', ['sleep', '10']).catch((e: unknown) => e);
    await eventually(() => h.fake.stats().execSessions === 1, 2000, 'session open');
    await h.fake.close();
    assert.equal(h.fake.stats().execSessions, 0);
    release();
    // The client sees the socket close without a status; runExec never resolves its status, so do not await it.
    void pending;
  });
});
