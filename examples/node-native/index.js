const express = require('express');
const bcrypt = require('bcrypt');

const app = express();
const hash = bcrypt.hashSync('correct horse battery staple', 10);

app.get('/', (req, res) => {
  const ok = bcrypt.compareSync('correct horse battery staple', hash);
  res.json({ addon: 'bcrypt', verified: ok });
});

app.get('/healthz', (req, res) => res.send('ok'));

const port = Number(process.env.PORT) || 3000;
app.listen(port, () => console.log(`node-native example on ${port}`));
