"""``manage.py jt808_server --host 0.0.0.0 --port 8808``: run the JT/T 808 vehicle-terminal receiver."""
import asyncio
import signal

from django.core.management.base import BaseCommand

from waste.jt808_server import Server


class Command(BaseCommand):
    help = "Receive JT/T 808 registrations, authentications, heartbeats and location reports over TCP."
    requires_system_checks = []  # a TCP receiver: URL and template checks are not its business

    def add_arguments(self, parser):
        parser.add_argument("--host", default="0.0.0.0")
        parser.add_argument("--port", type=int, default=8808)
        parser.add_argument("--read-timeout", type=float, default=300.0,
                            help="Close a connection silent for this many seconds.")
        parser.add_argument("--workers", type=int, default=2, help="Database threads (connections).")

    def handle(self, *args, **options):
        server = Server(options["host"], options["port"], read_timeout=options["read_timeout"],
                        workers=options["workers"])

        async def main():
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, server.stop, loop)
            await server.serve()

        asyncio.run(main())
        self.stdout.write(f"stopped after storing {server.points_stored} positions")
