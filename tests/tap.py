# tap.py - what the python integration tests share: their TAP lines and
# free loopback ports. Import it with the test's own folder on sys.path.
import socket
import sys

count = failed = 0


def ok(cond, name, *info):
    """one TAP line; info (the last lines of each) is printed on failure"""
    global count, failed
    count += 1
    if cond:
        print(f"ok {count} - {name}")
    else:
        failed += 1
        print(f"not ok {count} - {name}")
        for line in info:
            for l in str(line).splitlines()[-15:]:
                print(f"# {l}")
    sys.stdout.flush()
    return cond


def done():
    """the plan line, then exit 1 if anything failed"""
    print(f"1..{count}")
    sys.stdout.flush()
    sys.exit(1 if failed else 0)


def free_ports(k):
    """k distinct free loopback ports (all held open while choosing, so the
    kernel cannot hand out the same one twice)"""
    socks = []
    for _ in range(k):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports
