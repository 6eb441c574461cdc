import express, { Request, Response } from 'express';
import { greet } from './greeting';

const app = express();
const port: number = Number(process.env.PORT ?? 8080);

app.get('/', (_req: Request, res: Response) => {
  res.json(greet('world'));
});

app.get('/greet/:name', (req: Request, res: Response) => {
  res.json(greet(req.params.name));
});

app.listen(port, () => {
  console.log(`node-typescript example listening on port ${port}`);
});
