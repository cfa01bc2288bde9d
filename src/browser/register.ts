/** Importing this module makes the browser the platform the core runs on (the browser entry does it first). */
import { usePlatform } from '../platform/index.js';
import { browserPlatform } from './platform.js';

usePlatform(browserPlatform);
