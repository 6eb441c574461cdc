const path = require('path');
const express = require('express');
const morgan = require('morgan');

const app = express();
const port = Number(process.env.PORT) || 3000;

app.set('view engine', 'ejs');
app.set('views', path.join(__dirname, 'views'));

app.use(morgan('tiny'));
app.use('/static', express.static(path.join(__dirname, 'public')));

const todos = ['write Dockerfile', 'build image', 'ship it'];

app.get('/', (req, res) => {
  res.render('index', { title: 'node-express example', todos });
});

app.get('/healthz', (req, res) => {
  res.json({ status: 'ok' });
});

app.listen(port, () => {
  console.log(`node-express example listening on port ${port}`);
});
