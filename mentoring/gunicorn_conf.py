"""Gunicorn settings shared by ``./flip start``, the benches and the container
(``gunicorn -c python:mentoring.gunicorn_conf``); command-line flags add the bind address, worker
and thread counts.

**Keep-alive does not race its clients.** An idle keep-alive connection is closed by whichever
side's idle timeout ends first; when the server's ends first, a client that sends its next request
on that connection at the same moment gets "connection reset by peer" (measured under load with
gunicorn's default of 2 s: about one request in 5,500). So the server waits longer than its clients
do: 75 s, above the 60 s of the usual proxies in front (nginx ``keepalive_timeout`` upstream, cloud
load balancers' idle timeout) and above any pause a browser or API client makes between requests
of one burst. With the gthread worker an idle connection waits in the worker's poller, not in a
thread, so long keep-alive costs a file descriptor, not a thread (``worker_connections`` bounds
them). ``tests/mentoring/test_gunicorn.py`` reuses a connection left idle past the old timeout.
"""

worker_class = "gthread"
keepalive = 75
worker_connections = 1000
