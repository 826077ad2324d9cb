// The emulator's command line: `run` exit codes (0 succeeded, 1 failed, 2 usage error), the states it
// prints, and `serve` registering a directory of definitions under their file stems.
import { spawn } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'net';
import type { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { SFNClient, ListStateMachinesCommand, StartExecutionCommand, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { runCommand, serve, stateMachineNameOf, UsageError } from '../../emulator/cli';

const root = join(__dirname, '..', '..');
const fixtures = join(__dirname, 'order-example');
const order = join(fixtures, 'statemachines', 'order.asl.yaml');
const mocks = join(fixtures, 'order-mocks.json');
const subs = join(fixtures, 'substitutions.json');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('run', () => {
  test('a succeeding test case exits 0 and prints the states taken and the output', async () => {
    const c = capture();
    const code = await runCommand(
      ['run', order, '--input', '{"orderId":"o-1"}', '--mock-config', mocks, '--test-case', 'Paid', '--substitutions', subs],
      c.io,
    );
    expect(code).toBe(0);
    expect(c.out).toEqual(
      expect.arrayContaining([
        'states:',
        '  Load Order (Task)',
        '  Is Paid (Choice)',
        '  Ship (Task)',
        '  Done (Succeed)',
        'status: SUCCEEDED',
      ]),
    );
    expect(c.out.find((l) => l.startsWith('output: '))).toBe(
      'output: {"orderId":"o-1","order":{"Item":{"id":{"S":"o-1"},"paid":{"BOOL":true}}}}',
    );
  });

  test('a failing execution exits 1 and prints error and cause', async () => {
    const c = capture();
    const code = await runCommand(
      ['run', order, '--input', '{"orderId":"o-1"}', '--mock-config', mocks, '--test-case', 'Unpaid', '--substitutions', subs],
      c.io,
    );
    expect(code).toBe(1);
    expect(c.out).toEqual(
      expect.arrayContaining(['  Not Paid (Fail)', 'status: FAILED', 'error: NotPaid', 'cause: The order is not paid']),
    );
  });

  test('--input @file reads the input from a file', async () => {
    const c = capture();
    const code = await runCommand(
      [
        'run',
        order,
        '--input',
        `@${join(fixtures, 'order-input.json')}`,
        '--mock-config',
        mocks,
        '--test-case',
        'Paid',
        '--substitutions',
        subs,
      ],
      c.io,
    );
    expect(code).toBe(0);
    expect(c.out.find((l) => l.startsWith('output: '))).toContain('"orderId":"o-from-file"');
  });

  test.each([
    ['no command', [], /no command given/],
    ['unknown command', ['fly'], /unknown command 'fly'/],
    ['no file', ['run'], /exactly one definition FILE/],
    ['unknown option', ['run', order, '--colour'], /unknown option --colour/],
    ['option without value', ['run', order, '--input'], /--input needs a value/],
    ['missing substitutions', ['run', order], /no substitution values for placeholders \$\{OrdersTable\}, \$\{RetrySeconds\}/],
    ['input not JSON', ['run', order, '--substitutions', subs, '--input', '{nope'], /--input is not valid JSON/],
    ['test case without mock config', ['run', order, '--substitutions', subs, '--test-case', 'Paid'], /--test-case needs --mock-config/],
    [
      'unknown test case',
      ['run', order, '--substitutions', subs, '--mock-config', mocks, '--test-case', 'Nope'],
      /test case 'Nope' is not defined for state machine 'order'.*defined: Paid, Unpaid/,
    ],
    ['missing definition file', ['run', join(fixtures, 'absent.asl.yaml')], /cannot read definition .*ENOENT/],
    ['malformed mock config', ['run', order, '--mock-config', join(fixtures, 'mock-config-invalid-json.json')], /not valid JSON/],
    ['serve-only option', ['run', order, '--port', '1'], /--port is not an option of 'run'/],
  ])('usage error exits 2: %s', async (_name, argv, message) => {
    const c = capture();
    expect(await runCommand(argv as string[], c.io)).toBe(2);
    expect(c.err.join('\n')).toMatch(message);
  });

  test('help exits 0 and prints the usage', async () => {
    const c = capture();
    expect(await runCommand(['help'], c.io)).toBe(0);
    expect(c.out.join('\n')).toMatch(/serve \[--port N\]/);
  });

  test('state machine names are the file stems', () => {
    expect(stateMachineNameOf('/x/create-tenant.asl.yaml')).toBe('create-tenant');
    expect(stateMachineNameOf('a.asl.json')).toBe('a');
    expect(stateMachineNameOf('plain.json')).toBe('plain');
  });
});

function runProcess(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'emulator', 'cli.ts'), ...args],
      { cwd: root },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('as a process, run sets the exit status: 1 for a failed execution, 2 for a usage error', async () => {
  const [failed, usage] = await Promise.all([
    runProcess(['run', order, '--mock-config', mocks, '--test-case', 'Unpaid', '--substitutions', subs, '--input', '{"orderId":"o-1"}']),
    runProcess(['run']),
  ]);
  expect(failed.code).toBe(1);
  expect(failed.stdout).toContain('status: FAILED');
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('error: run needs exactly one definition FILE');
}, 30000);

describe('serve', () => {
  test('registers every definition of the directory under its stem and serves the API', async () => {
    const c = capture();
    const handle = await serve(
      ['--port', '0', '--state-machines', join(fixtures, 'statemachines'), '--substitutions', subs, '--mock-config', mocks],
      c.io,
    );
    const sfn = new SFNClient({ endpoint: handle.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      expect(c.out).toContain(`Step Functions API listening on ${handle.url}`);
      const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
      expect(stateMachines!.map((s) => s.name)).toEqual(['order']);
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({ stateMachineArn: `${stateMachines![0].stateMachineArn}#Paid`, input: '{"orderId":"o-1"}' }),
      );
      const result = await handle.engine.waitForExecution(executionArn!);
      expect(result.status).toBe('SUCCEEDED');
      expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
    } finally {
      sfn.destroy();
      await handle.close();
    }
  });

  test('--substitutions without --state-machines is a usage error', async () => {
    await expect(serve(['--substitutions', subs], capture().io)).rejects.toThrow(/--substitutions applies to --state-machines/);
  });

  test('as a process: prints the URL once ready and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(root, 'emulator', 'cli.ts'), 'serve', '--port', '0'],
      {
        cwd: root,
        env: { ...process.env, SFN_MOCK_CONFIG: mocks },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited early with ${code}: ${stdout}`)));
    });
    expect(stdout).toContain(`mock configuration: ${mocks}`);
    const sfn = new SFNClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
    sfn.destroy();
    const exitCode = await new Promise<number | null>((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
    expect(exitCode).toBe(0);
  }, 30000);
});

describe('serve: bad ports and bad files', () => {
  test('--port "" is a usage error (it used to pick a random port)', async () => {
    await expect(serve(['--port', ''], capture().io)).rejects.toThrow("--port must be an integer from 0 to 65535, got ''");
    await expect(serve(['--port', ' 8 '], capture().io)).rejects.toThrow(/--port must be an integer/);
  });

  test.each([
    ['broken.asl.yaml', 'StartAt: [unclosed', /definition '.*broken\.asl\.yaml' is not valid YAML or JSON/],
    ['nostates.asl.json', '{"StartAt": "A"}', /invalid definition '.*nostates\.asl\.json': /],
    ['scalar.asl.yaml', '42', /definition '.*scalar\.asl\.yaml' must hold an object/],
  ])('a bad file in --state-machines (%s) is a usage error naming the file and the problem', async (file, text, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'sm-'));
    try {
      writeFileSync(join(dir, 'good.asl.json'), JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }));
      writeFileSync(join(dir, file), text);
      const failure = serve(['--port', '0', '--state-machines', dir], capture().io);
      await expect(failure).rejects.toThrow(message);
      await expect(failure).rejects.toBeInstanceOf(UsageError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('as a process: serve on a port in use prints one line naming the address and exits 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await runProcess(['serve', '--port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([
        `error: cannot listen on 127.0.0.1:${port}: the port is already in use (choose another with --port)`,
      ]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 30000);
});

describe('serve: retention', () => {
  test('--max-closed-executions bounds the closed executions the served engine keeps', async () => {
    const handle = await serve(['--port', '0', '--max-closed-executions', '1'], capture().io);
    try {
      const { stateMachineArn } = handle.engine.createStateMachine({
        name: 'p',
        definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
      });
      const first = handle.engine.startExecution({ stateMachineArn, name: 'first' });
      await handle.engine.waitForExecution(first.executionArn);
      const second = handle.engine.startExecution({ stateMachineArn, name: 'second' });
      await handle.engine.waitForExecution(second.executionArn);
      await new Promise((r) => setImmediate(r));
      expect(handle.engine.listExecutions(stateMachineArn).map((e) => e.name)).toEqual(['second']);
    } finally {
      await handle.close();
    }
  });

  test('a retention flag that is not a whole number is a usage error', async () => {
    await expect(serve(['--port', '0', '--closed-execution-ttl', '1h'], capture().io)).rejects.toThrow(
      "--closed-execution-ttl must be a whole number >= 0, got '1h'",
    );
  });
});
