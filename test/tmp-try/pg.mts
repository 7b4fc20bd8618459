import { startPostgres } from '../harness/postgres.js';
const s = await startPostgres();
console.log(await s.createDatabase('dbg'));
setInterval(() => {}, 1000);
