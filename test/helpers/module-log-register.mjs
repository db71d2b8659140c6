// `node --import` this file to log every module the process loads (see module-log.mjs).
import { register } from 'node:module';

register('./module-log.mjs', import.meta.url);
