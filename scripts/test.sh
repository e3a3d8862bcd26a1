#!/usr/bin/env bash
# Installs everything the tests need (Python packages; LibreOffice, fonts and hunspell with its
# Dutch dictionary from Debian) and runs every test. Used by the README and by .ci/run; CI never
# skips the LibreOffice or spelling tests.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
[ -e /usr/lib/libreoffice/program/libsclo.so ] || need+=(libreoffice-calc-nogui)
command -v pdftotext >/dev/null || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi carlito || need+=(fonts-crosextra-carlito)
fc-list 2>/dev/null | grep -qi caladea || need+=(fonts-crosextra-caladea)
fc-list 2>/dev/null | grep -qi "liberation sans" || need+=(fonts-liberation2)
command -v hunspell >/dev/null || need+=(hunspell)
[ -e /usr/share/hunspell/nl_NL.dic ] || need+=(hunspell-nl)
# The web form's browser tests drive Debian's Chromium (tests/web/test_browser.py); with its Dutch
# locale the date fields read dd-mm-jjjj, as a project leader sees them. Playwright never downloads one.
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/lib/chromium/locales/nl.pak ] || need+=(chromium-l10n)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
fi
python3 -m pip install -q -e '.[test]' 2>&1 | grep -v -e '^WARNING' -e 'ignored: it is neither' || true
# Habits first: lint, format and types (strict on the core), then every test.
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m mypy
python3 -m pytest -q -p no:cacheprovider "$@"
