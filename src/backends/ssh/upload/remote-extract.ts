// The receiving end of an upload on an SSH host (fleet host, EC2 instance, pod), in POSIX sh + awk: the
// archive is staged beside the destination, every member is listed with the host's own `tar -t`/`tar -tv`
// and refused when it could write outside the destination (absolute name, a `..` component, a symlink
// target that is absolute or climbs out, a member below a symlink of the archive, anything but files,
// directories and symlinks), and only then extracted. GNU tar strips a leading `/` instead of refusing it;
// the same rules as the local extractor (tar-extract.ts) hold on both ends.

import { shellQuote } from '../shell-quote';

/** The exit status of the receiver when it refused a member (its stderr names the member and why). */
export const REFUSED_EXIT = 3;
/** The exit status when the host's tar could not read the archive. */
export const UNREADABLE_EXIT = 4;

/**
 * Checks the verbose listing (stdin) against the plain one (file `names`, the same members in the same
 * order): the plain name is known, so the link target is what follows ` NAME -> ` whatever the date or
 * owner columns look like. Every occurrence is checked, so an owner name that mimics one cannot hide the
 * real target.
 */
const CHECK_AWK = `
function refuse(m, why) { if (!bad) printf "refused archive member \\"%s\\": %s\\n", m, why > "/dev/stderr"; bad = 1; exit ${REFUSED_EXIT} }
function norm(p,   a, n, i, out) {
  n = split(p, a, "/"); out = ""
  for (i = 1; i <= n; i++) if (a[i] != "" && a[i] != ".") out = (out == "" ? a[i] : out "/" a[i])
  return out
}
function climbs(p,   a, n, i) { n = split(p, a, "/"); for (i = 1; i <= n; i++) if (a[i] == "..") return 1; return 0 }
function check_link(m, nm, target,   a, n, i, depth) {
  if (target == "") refuse(m, "its symlink target is empty")
  if (substr(target, 1, 1) == "/") refuse(m, "its symlink target " target " is absolute")
  depth = split(nm, a, "/") - 1
  n = split(target, a, "/")
  for (i = 1; i <= n; i++) {
    if (a[i] == "" || a[i] == ".") continue
    if (a[i] == "..") { depth--; if (depth < 0) refuse(m, "its symlink target " target " leaves the destination") }
    else depth++
  }
}
BEGIN { while ((getline line < names) > 0) { count++; name[count] = line } }
{
  if (NR > count) refuse("?", "the two listings of the archive differ")
  m = name[NR]; t = substr($0, 1, 1)
  if (substr(m, 1, 1) == "/") refuse(m, "absolute paths are not allowed")
  if (climbs(m)) refuse(m, "'..' is not allowed")
  nm = norm(m)
  if (t == "-" || t == "d") {
    if (nm == "" && t != "d") refuse(m, "the name is empty")
    if (substr($0, length($0) - length(m)) != " " m) refuse(m, "its listing is not that of a plain file or directory")
  } else if (t == "l") {
    if (nm == "") refuse(m, "the name is empty")
    s = " " m " -> "; rest = $0; found = 0
    while ((p = index(rest, s)) > 0) { found = 1; check_link(m, nm, substr(rest, p + length(s))); rest = substr(rest, p + 1) }
    if (!found) refuse(m, "its symlink target cannot be read")
    link[nm] = 1
  } else refuse(m, "only files, directories and symlinks are accepted (this one lists as " t ")")
  member[NR] = nm
}
END {
  if (bad) exit ${REFUSED_EXIT}
  if (NR != count) refuse("?", "the two listings of the archive differ")
  for (i = 1; i <= NR; i++) {
    n = split(member[i], a, "/"); pre = ""
    for (j = 1; j < n; j++) { pre = (j == 1 ? a[1] : pre "/" a[j]); if (pre in link) refuse(name[i], "its parent " pre " is a symlink") }
  }
}`;

/** The receiver: `sh -c RECEIVER_SH receive DEST` with the tar archive on stdin. */
export const RECEIVER_SH = `set -u
dest=$1
mkdir -p -- "$dest" || exit 2
tmp="\${dest%/}.upload-$$"
trap 'rm -f -- "$tmp" "$tmp.names" "$tmp.long"' 0
trap 'exit 2' HUP INT TERM PIPE
mask=$(umask)
umask 077
cat > "$tmp" || exit 2
LC_ALL=C tar -tf "$tmp" > "$tmp.names" 2>/dev/null && LC_ALL=C tar -tvf "$tmp" > "$tmp.long" 2>/dev/null || { echo "the host's tar cannot read the archive" >&2; exit ${UNREADABLE_EXIT}; }
LC_ALL=C awk -v names="$tmp.names" ${shellQuote(CHECK_AWK)} "$tmp.long" || exit ${REFUSED_EXIT}
umask "$mask"
tar -x -o -f "$tmp" -C "$dest"
`;

/** The command line that receives an archive on stdin into `remoteDir` (created when missing). */
export function receiveCommand(remoteDir: string): string {
  return `sh -c ${shellQuote(RECEIVER_SH)} receive ${shellQuote(remoteDir)}`;
}
