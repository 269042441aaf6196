"""Two writers on one endpoint at once, each with its own connection, against moto's server over HTTP: the
backups must form a true chain from the original to the final policy, and no run may report two clean
`applied` when one write silently replaced the other."""

import itertools
import subprocess
import sys
import threading
from collections import Counter

import pytest

from tui.aws.apply import execute_plan, plan_apply
from tui.aws.backups import endpoint_lock, list_backups
from tui.aws.discovery import describe_endpoints, parse_policy
from tui.aws.sandbox import perimeter_policy
from tui.aws.session import AwsTarget, connect
from tui.policy.diff import same_policy

RUNS = 20


def stored(conn, endpoint_id):
    return parse_policy(describe_endpoints(conn, "eu-west-1", [endpoint_id])[0]["PolicyDocument"])


def race(connections, endpoint_id, documents) -> list:
    """Both writers plan and execute at the same moment, as two `apply --yes` would."""
    start = threading.Barrier(len(connections))
    outcomes = [None] * len(connections)

    def writer(index):
        conn = connections[index]
        start.wait()
        plan = plan_apply(conn, {endpoint_id: documents[index]}, force=True)
        [outcomes[index]] = execute_plan(conn, plan)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(len(connections))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_concurrent_applies_keep_a_true_backup_chain(conn, sandbox, s3):
    connections = [connect(AwsTarget(region="eu-west-1", endpoint_url=sandbox.url, sandbox=True)) for _ in range(2)]
    original = stored(conn, s3)
    tally = Counter()
    for run in range(RUNS):
        documents = [perimeter_policy(f"{run:04d}{writer:08d}", "eu-west-1") for writer in range(2)]
        outcomes = race(connections, s3, documents)
        statuses = sorted(str(o.status) for o in outcomes)
        tally[" + ".join(statuses)] += 1
        assert set(statuses) <= {"applied", "overwritten"}, [o.reason for o in outcomes]
        held = stored(conn, s3)
        applied = [documents[i] for i, o in enumerate(outcomes) if o.status == "applied"]
        assert any(same_policy(held, d) for d in applied), "the endpoint holds a document nobody reported applied"
        if len(applied) == 2:  # both applied is honest only if the second writer saw the first's document
            first, second = sorted((o for o in outcomes), key=lambda o: o.backup_path)
            later = next(b for b in list_backups(s3) if str(b.path) == second.backup_path)
            earlier_new = documents[outcomes.index(first)]
            assert same_policy(later.old, earlier_new), "two clean `applied`, but one overwrote the other unseen"
    chain = list(reversed(list_backups(s3)))  # oldest first
    assert same_policy(chain[0].old, original)
    for previous, backup in itertools.pairwise(chain):
        assert same_policy(backup.old, previous.new), f"{backup.path.name} did not replace what {previous.path.name} wrote"
    assert same_policy(chain[-1].new, stored(conn, s3))
    print(dict(tally))  # figures for the report: pytest -s shows them


def test_the_endpoint_lock_excludes_another_process_and_gives_up_in_time():
    """flock is per open file, so threads are covered above; here the holder is another process."""
    holder = subprocess.Popen(
        [sys.executable, "-c", ("import sys, time\nfrom tui.aws.backups import endpoint_lock\n"
                                "with endpoint_lock('vpce-0123456789abcdef0'):\n    print('held', flush=True)\n"
                                "    sys.stdin.read()")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(TimeoutError, match="another vpce-wizard has been writing vpce-0123456789abcdef0"), endpoint_lock("vpce-0123456789abcdef0", wait=0.3):
            pass
    finally:
        holder.stdin.close()
        holder.wait(10)
    with endpoint_lock("vpce-0123456789abcdef0", wait=0.3):  # released when the holder ended
        pass
