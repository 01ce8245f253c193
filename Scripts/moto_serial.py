#!/usr/bin/env python3
"""moto's server, with each request handled under one lock.

moto_server runs werkzeug with threaded=True and its backends do not lock, so
two concurrent conditional writes to one item can both pass their condition:
a real DynamoDB table is linearizable per item, moto is not. Serializing
request handling (connections stay concurrent; the GIL already serialized the
work) makes moto a faithful peer for the conformance suite's concurrency case.

Usage: moto_serial.py HOST PORT
"""
import sys
import threading

from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

_lock = threading.Lock()


def serialized(app):
    def wrapper(environ, start_response):
        with _lock:
            # Materialize the body under the lock, so the whole request is one step.
            return list(app(environ, start_response))
    return wrapper


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    app = DomainDispatcherApplication(create_backend_app)
    run_simple(host, port, serialized(app), threaded=True, use_reloader=False)
