/** The machine's ceiling: bare Fastify answering a fixed JSON body on every route. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
// Accept the token endpoint's form bodies as they come, unparsed: the ceiling does no work.
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
const body = { active: true, client_id: 'bench', token_type: 'Bearer' };
app.all('/*', async () => body);
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
process.stdout.write('ready\n');
