// Archives that try to write outside the directory they are extracted into, each after a harmless first
// member (so "nothing was extracted" is visible): shared by the host receiver's unit test (local sh) and
// its end-to-end test on a real sshd test host.

import { paxPath, rawTar, type RawMember } from './helpers';

/** One hostile archive and what it tries. */
export interface HostileArchive {
  label: string;
  tar: Buffer;
  /** What the receiver's refusal names. */
  refusal: RegExp;
}

const first: RawMember = { name: 'ok.txt', body: Buffer.from('harmless\n') };

/** The hostile archives aimed at `outside` (an absolute directory that must stay empty). */
export function hostileArchives(outside: string): HostileArchive[] {
  const cases: Array<{ label: string; members: RawMember[]; refusal: RegExp }> = [
    { label: 'an absolute member name', members: [{ name: `${outside}/abs.txt`, body: Buffer.from('x') }], refusal: /absolute paths are not allowed/ },
    { label: "a '..' member name", members: [{ name: '../escape.txt', body: Buffer.from('x') }], refusal: /'\.\.' is not allowed/ },
    { label: "a '..' in the middle of a name", members: [{ name: 'a/../../escape2.txt', body: Buffer.from('x') }], refusal: /'\.\.' is not allowed/ },
    { label: "a pax path with '..'", members: [paxPath('../pax-escape.txt'), { name: 'innocent.txt', body: Buffer.from('x') }], refusal: /pax-escape\.txt.*'\.\.' is not allowed/ },
    { label: 'an absolute symlink, then a file through it', members: [{ name: 'l', type: '2', linkname: outside }, { name: 'l/through.txt', body: Buffer.from('x') }], refusal: /symlink target .* is absolute/ },
    { label: 'a symlink that climbs out, then a file through it', members: [{ name: 'sub/l', type: '2', linkname: '../..' }, { name: 'sub/l/through.txt', body: Buffer.from('x') }], refusal: /leaves the destination/ },
    { label: 'a symlink inside, then a file through it', members: [{ name: 'sub', type: '5' }, { name: 'l', type: '2', linkname: 'sub' }, { name: 'l/x.txt', body: Buffer.from('x') }], refusal: /its parent l is a symlink/ },
    { label: 'a symlink whose name hides an absolute target', members: [{ name: 'x -> y', type: '2', linkname: outside }], refusal: /is absolute/ },
    { label: 'a hard link to an absolute path', members: [{ name: 'h', type: '1', linkname: `${outside}/target` }], refusal: /only files, directories and symlinks/ },
    { label: 'a hard link inside', members: [{ name: 'h', type: '1', linkname: 'ok.txt' }], refusal: /only files, directories and symlinks/ },
    { label: 'a character device', members: [{ name: 'dev', type: '3' }], refusal: /only files, directories and symlinks/ },
  ];
  return cases.map((c) => ({ label: c.label, tar: rawTar([first, ...c.members]), refusal: c.refusal }));
}
