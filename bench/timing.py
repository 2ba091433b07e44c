"""Server time of each request, as `Server-Timing: app;dur=<ms>, cpu;dur=<ms>` (bench settings
only). `app` is the wall time from the outermost middleware to the response; `cpu` is the CPU
time the worker process spent on it (without the database's own time or waits for a CPU), which
tells a slow request from a busy machine."""

import time


class ServerTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, cpu = time.perf_counter(), time.process_time()
        response = self.get_response(request)
        wall_ms = (time.perf_counter() - started) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        response["Server-Timing"] = f"app;dur={wall_ms:.2f}, cpu;dur={cpu_ms:.2f}"
        return response
