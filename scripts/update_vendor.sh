#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry (versions pinned here and in
# src/crisislink/entrypoints/web/static/vendor/VENDORED.md). Needs npm; run from the repository root.
set -euo pipefail
LEAFLET=1.9.4
HTMX=2.0.4
REDOC=2.5.0
dest=src/crisislink/entrypoints/web/static/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack "leaflet@$LEAFLET" "htmx.org@$HTMX" "redoc@$REDOC" >/dev/null)
for name in leaflet htmx redoc; do mkdir -p "$work/$name"; done
tar xzf "$work/leaflet-$LEAFLET.tgz" -C "$work/leaflet"
tar xzf "$work/htmx.org-$HTMX.tgz" -C "$work/htmx"
tar xzf "$work/redoc-$REDOC.tgz" -C "$work/redoc"
mkdir -p "$dest/leaflet/images" "$dest/htmx"
cp "$work/leaflet/package/dist/leaflet.js" "$work/leaflet/package/dist/leaflet.css" "$dest/leaflet/"
cp "$work/leaflet/package/dist/images/"* "$dest/leaflet/images/"
cp "$work/leaflet/package/LICENSE" "$dest/leaflet/LICENSE"
cp "$work/htmx/package/dist/htmx.min.js" "$dest/htmx/"
cp "$work/htmx/package/LICENSE" "$dest/htmx/LICENSE"
# Redoc's footer logo comes from its CDN: point it at our own icon, so nothing leaves the node.
sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg#/static/favicon.svg#g' \
    "$work/redoc/package/bundles/redoc.standalone.js" > "$dest/redoc.standalone.js"
cp "$work/redoc/package/bundles/redoc.standalone.js.LICENSE.txt" "$dest/"
cp "$work/redoc/package/LICENSE" "$dest/redoc.LICENSE.txt"
echo "vendored: leaflet $LEAFLET, htmx $HTMX, redoc $REDOC — update VENDORED.md if versions changed"
