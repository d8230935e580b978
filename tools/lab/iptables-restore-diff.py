#!/usr/bin/env python3
"""Takes iptables back to a state saved by `iptables-save`: removes the rules and the
chains added since, in every table (what the real node's kubelet and CNI plugin add).

    iptables-restore-diff.py iptables|ip6tables SAVED_FILE
"""
import subprocess
import sys


def parse(text):
    """{table: (chains, rules)}: the chains declared and the -A lines, in order."""
    tables, table = {}, None
    for line in text.splitlines():
        if line.startswith('*'):
            table = line[1:]
            tables[table] = (set(), [])
        elif line.startswith(':') and table:
            tables[table][0].add(line[1:].split()[0])
        elif line.startswith('-A ') and table:
            tables[table][1].append(line[3:])
    return tables


def main():
    tool, saved = sys.argv[1], sys.argv[2]
    try:
        before = parse(open(saved).read())
        now = parse(subprocess.run([f'{tool}-save'], capture_output=True, text=True, check=True).stdout)
    except (OSError, subprocess.CalledProcessError):
        return 0
    for table, (chains, rules) in now.items():
        old_chains, old_rules = before.get(table, (set(), []))
        old = set(old_rules)
        for rule in reversed(rules):
            if rule not in old:
                subprocess.run([tool, '-t', table, '-D', *split(rule)], capture_output=True)
        for chain in chains - old_chains:
            subprocess.run([tool, '-t', table, '-F', chain], capture_output=True)
        for chain in chains - old_chains:
            subprocess.run([tool, '-t', table, '-X', chain], capture_output=True)
    return 0


def split(rule):
    import shlex
    return shlex.split(rule)


if __name__ == '__main__':
    sys.exit(main())
