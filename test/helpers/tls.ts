/**
A throwaway test PKI made with the openssl CLI: a CA, a server certificate for 127.0.0.1/localhost signed by it,
and an unrelated second CA (to show that verification really happens). Files live in a temp dir.
*/
import {execFileSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export interface TestPki {
	readonly dir: string;
	/** CA that signed the server certificate. */
	readonly caCert: string;
	/** A CA that signed nothing here: trusting only it must fail. */
	readonly otherCaCert: string;
	readonly serverCert: string;
	readonly serverKey: string;
	remove(): void;
}

function openssl(args: readonly string[], cwd: string): void {
	execFileSync('openssl', args, {cwd, stdio: ['ignore', 'ignore', 'pipe']});
}

function makeCa(dir: string, name: string): void {
	openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`], dir);
}

export function makeTestPki(): TestPki {
	const dir = mkdtempSync(join(tmpdir(), 'mycotop-pki-'));
	makeCa(dir, 'test-ca');
	makeCa(dir, 'other-ca');
	openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server.key', '-out', 'server.csr'], dir);
	writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
	openssl(
		['x509', '-req', '-in', 'server.csr', '-CA', 'test-ca.crt', '-CAkey', 'test-ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.crt'],
		dir,
	);
	return {
		dir,
		caCert: join(dir, 'test-ca.crt'),
		otherCaCert: join(dir, 'other-ca.crt'),
		serverCert: join(dir, 'server.crt'),
		serverKey: join(dir, 'server.key'),
		remove: () => rmSync(dir, {recursive: true, force: true}),
	};
}

/** redis-server arguments for a TLS port with this PKI (clients are not asked for certificates). */
export function redisTlsArgs(pki: TestPki, tlsPort: number): string[] {
	return [
		'--tls-port',
		String(tlsPort),
		'--tls-cert-file',
		pki.serverCert,
		'--tls-key-file',
		pki.serverKey,
		'--tls-ca-cert-file',
		pki.caCert,
		'--tls-auth-clients',
		'no',
	];
}
