const fs = require('fs');
const path = require('path');
const Koa = require('koa');
const Router = require('@koa/router');

const settings = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'config', 'settings.json'), 'utf8'));
const app = new Koa();
const router = new Router();

router.get('/', (ctx) => {
  ctx.body = { service: settings.name, greeting: settings.greeting, env: process.env.APP_ENV || 'unset' };
});
router.get('/healthz', (ctx) => {
  ctx.body = { status: 'ok' };
});

app.use(router.routes()).use(router.allowedMethods());

const port = Number(process.env.PORT) || 4000;
app.listen(port, () => console.log(`${settings.name} listening on ${port}`));
