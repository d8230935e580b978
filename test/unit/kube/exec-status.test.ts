import assert from 'node:assert/strict';
import { ExecConnectionLost, ExecRejected, exitCodeFromStatus } from '../../../src/kube/pod-exec.ts';

describe('exec status', () => {
  it('reads exit codes the way the kubelet reports them', () => {
    assert.equal(exitCodeFromStatus({ status: 'Success' }), 0);
    assert.equal(
      exitCodeFromStatus({
        status: 'Failure',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      }),
      3,
    );
  });

  it('treats a kubelet out of reach as a lost connection, with the URL cut short', () => {
    const lost = exitCodeFromStatus({
      status: 'Failure',
      reason: 'InternalError',
      code: 500,
      message:
        'error sending request: Post "https://127.0.0.1:16250/exec/ns/pod/c?command=%2Fbin%2Fsh&command=secret-script": dial tcp 127.0.0.1:16250: connect: connection refused',
    });
    assert.ok(lost instanceof ExecConnectionLost);
    assert.equal(
      lost.message,
      'error sending request: Post "https://127.0.0.1:16250/exec/ns/pod/c": dial tcp 127.0.0.1:16250: connect: connection refused',
    );
  });

  it('treats anything else as a rejection', () => {
    const rejected = exitCodeFromStatus({
      status: 'Failure',
      reason: 'BadRequest',
      code: 400,
      message: 'container nope is not valid for pod p',
    });
    assert.ok(rejected instanceof ExecRejected);
  });
});
