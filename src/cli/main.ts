// `dstack-vsc` command line: the same core as the extension, for scripts and tests.
process.stdout.write('dstack-vsc: no commands yet\n');
