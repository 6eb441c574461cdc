import Fastify from 'fastify';
import { describe } from './describe';

const app = Fastify({ logger: false });

app.get('/', async () => ({ service: 'node-pnpm example', ...describe() }));
app.get('/healthz', async () => ({ status: 'ok' }));

const port = Number(process.env.PORT ?? 8080);
app.listen({ port, host: '0.0.0.0' }).then(() => console.log(`listening on ${port}`));
