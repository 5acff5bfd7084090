"""``manage.py hj212_server --host 0.0.0.0 --port 9212``: run the HJ 212 TCP receiver until stopped."""
import asyncio
import signal

from django.core.management.base import BaseCommand

from monitoring.hj212_server import BatchWriter, Server
from monitoring.services import aggregate_partitions, partitions


class Command(BaseCommand):
    help = "Receive HJ 212 packets from monitoring devices over TCP and store their readings."
    requires_system_checks = []  # a TCP receiver: URL and template checks are not its business

    def add_arguments(self, parser):
        parser.add_argument("--host", default="0.0.0.0")
        parser.add_argument("--port", type=int, default=9212)
        parser.add_argument("--read-timeout", type=float, default=300.0,
                            help="Close a connection silent for this many seconds.")
        parser.add_argument("--max-length", type=int, default=9999, help="Largest data segment accepted.")
        parser.add_argument("--batch", type=int, default=2000, help="Most frames stored per transaction.")
        parser.add_argument("--writers", type=int, default=2, help="Writer threads (database connections).")
        parser.add_argument("--linger-ms", type=float, default=0.0,
                            help="Wait this long for more frames before a write (0: group commit only).")
        parser.add_argument("--reuse-port", action="store_true",
                            help="Share the port with other server processes (SO_REUSEPORT; the kernel spreads "
                                 "connections among them).")

    def handle(self, *args, **options):
        partitions.create_ahead()  # today's partitions exist before the first packet (beat keeps them ahead)
        aggregate_partitions.create_ahead()
        server = Server(options["host"], options["port"], read_timeout=options["read_timeout"],
                        max_length=options["max_length"], reuse_port=options["reuse_port"],
                        writer=BatchWriter(max_items=options["batch"], linger=options["linger_ms"] / 1000,
                                           threads=options["writers"]))

        async def main():
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, server.stop, loop)
            await server.serve()

        asyncio.run(main())
        writer = server.writer
        self.stdout.write(f"stopped after {writer.batches} batches, {writer.frames} frames; {writer.deferred_batches} "
                          f"batches left their windows to the aggregate backlog, {writer.folded} readings folded")
