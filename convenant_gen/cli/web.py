"""`convenant formulier`: the local web form for project leaders (convenant_gen/web)."""

from __future__ import annotations

from pathlib import Path

import click

from convenant_gen.cli.options import CONTEXT


@click.command(context_settings=CONTEXT)
@click.argument("bestand", required=False, type=click.Path(dir_okay=False, exists=True))
@click.option("--poort", type=click.IntRange(1024, 65535), default=8765, show_default=True, help="Poort op 127.0.0.1.")
@click.option("--geen-browser", is_flag=True, help="Open geen browser; toon alleen het adres.")
def formulier(bestand: str | None, poort: int, geen_browser: bool) -> None:
    """Vul een regiobestand in via een formulier in de browser, met dezelfde controles als
    `convenant validate`, en maak de documenten.

    Het formulier draait alleen op deze computer (127.0.0.1) en leest en schrijft alleen
    regiobestanden in de map van BESTAND (zonder BESTAND: regions/). Stop met Ctrl-C.
    """
    import errno
    import threading
    import webbrowser

    from convenant_gen.errors import UsageProblem
    from convenant_gen.web.server import listen, session_for

    session = session_for(Path(bestand) if bestand else None)
    try:
        server, sock, address = listen(session, poort)
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            raise UsageProblem(f"poort {poort} is al in gebruik; kies een andere met --poort") from None
        raise
    click.echo(f"Formulier: {address}  (stop met Ctrl-C)")
    if not geen_browser:
        threading.Timer(0.5, lambda: webbrowser.open(address)).start()
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn shuts down gracefully, then passes Ctrl-C on
        pass
    finally:
        sock.close()
        session.close()
    click.echo("Formulier gestopt.")
