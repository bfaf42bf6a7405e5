/* The live dashboard: graphql-ws (window.graphqlWs) and uPlot (window.uPlot), both served by the gateway. */
(function () {
  'use strict';

  var STORAGE_KEY = 'auralink.dashboard.token';
  var WINDOW_POINTS = 300;
  var QUERY =
    'subscription Dashboard($organizationId: ID!) { realtimeMetrics(organizationId: $organizationId) {' +
    ' activeCalls callsPerMinute aiCallsInProgress aiCallsPerMinute averageMos at' +
    ' organization { id subscription { usage { minutesUsed includedMinutes } } } } }';
  /** Close codes the gateway uses (README, "Live data"): what to tell the person. */
  var CLOSE_REASONS = {
    4401: 'Your token expired: paste a new one.',
    4403: 'The token was refused: paste a valid one.',
    4410: 'You are no longer a member of this organization.',
    4429: 'Too many requests: reconnecting later.',
    4430: 'Too many open dashboards for this user.',
  };
  var FATAL = { 4401: true, 4403: true, 4410: true, 4430: true };

  var el = function (id) {
    return document.getElementById(id);
  };
  var client = null;
  var unsubscribe = null;
  var series = { t: [], active: [], mos: [], ai: [] };
  var charts = {};

  function setState(state, text) {
    var node = el('connection');
    node.dataset.state = state;
    node.textContent = text || state;
  }

  function problem(text) {
    el('problem').textContent = text || '';
  }

  /** The organization a token is for: its `org` claim (the gateway checks the signature, not this page). */
  function organizationOf(token) {
    try {
      var part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(part)).org || null;
    } catch (error) {
      return null;
    }
  }

  function chart(id, label, stroke, range) {
    var node = el(id);
    return new uPlot(
      {
        title: label,
        width: Math.max(260, node.clientWidth - 16),
        height: 180,
        scales: { x: { time: true }, y: range ? { range: range } : { auto: true } },
        series: [{}, { label: label, stroke: stroke, width: 2, spanGaps: true }],
        legend: { show: false },
      },
      [[], []],
      node,
    );
  }

  function redraw() {
    charts.active.setData([series.t, series.active]);
    charts.mos.setData([series.t, series.mos]);
    charts.ai.setData([series.t, series.ai]);
  }

  function show(metrics) {
    el('active-calls').textContent = String(metrics.activeCalls);
    el('calls-per-minute').textContent = String(metrics.callsPerMinute);
    el('average-mos').textContent = metrics.averageMos == null ? '–' : metrics.averageMos.toFixed(2);
    el('ai-calls-per-minute').textContent = String(metrics.aiCallsPerMinute);
    var usage = metrics.organization && metrics.organization.subscription && metrics.organization.subscription.usage;
    el('quota').textContent = usage ? usage.minutesUsed + ' / ' + usage.includedMinutes : '–';
    el('updated-at').textContent = new Date(metrics.at).toLocaleTimeString();
    series.t.push(new Date(metrics.at).getTime() / 1000);
    series.active.push(metrics.activeCalls);
    series.mos.push(metrics.averageMos);
    series.ai.push(metrics.aiCallsPerMinute);
    if (series.t.length > WINDOW_POINTS) {
      Object.keys(series).forEach(function (key) {
        series[key].shift();
      });
    }
    redraw();
  }

  function disconnect() {
    if (unsubscribe) unsubscribe();
    unsubscribe = null;
    if (client) client.dispose();
    client = null;
  }

  function connect(token) {
    disconnect();
    problem('');
    var organizationId = organizationOf(token);
    if (!organizationId) {
      setState('error', 'not a session token');
      return;
    }
    el('organization').textContent = 'Organization ' + organizationId;
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/graphql';
    var fatal = false;
    var everConnected = false;
    client = graphqlWs.createClient({
      url: url,
      connectionParams: { authorization: 'Bearer ' + token },
      lazy: false,
      keepAlive: 10000,
      retryAttempts: Infinity,
      shouldRetry: function () {
        return !fatal;
      },
      retryWait: function (retries) {
        return new Promise(function (resolve) {
          setTimeout(resolve, Math.min(10000, 500 * Math.pow(2, retries)));
        });
      },
      on: {
        connecting: function () {
          setState(everConnected ? 'reconnecting' : 'connecting');
        },
        connected: function () {
          everConnected = true;
          setState('connected');
          problem('');
        },
        closed: function (event) {
          var code = event && event.code;
          if (FATAL[code]) fatal = true;
          setState('closed', fatal ? 'disconnected' : 'connection lost');
          if (CLOSE_REASONS[code]) problem(CLOSE_REASONS[code]);
        },
      },
    });
    unsubscribe = client.subscribe(
      { query: QUERY, variables: { organizationId: organizationId } },
      {
        next: function (result) {
          if (result.data && result.data.realtimeMetrics) show(result.data.realtimeMetrics);
          var refused = (result.errors || []).filter(function (error) {
            return !(error.path && error.path.indexOf('subscription') >= 0);
          });
          if (!result.data && refused.length) problem(refused[0].message);
        },
        error: function (error) {
          setState('error');
          problem(error && error.message ? error.message : Array.isArray(error) ? error[0].message : 'The subscription failed.');
        },
        complete: function () {},
      },
    );
  }

  function start() {
    charts.active = chart('chart-active-calls', 'Active calls', '#1f6feb');
    charts.mos = chart('chart-mos', 'MOS', '#2da44e', [1, 5]);
    charts.ai = chart('chart-ai', 'AI calls / min', '#bf3989');
    var stored = localStorage.getItem(STORAGE_KEY);
    if (stored) {
      el('token').value = stored;
      el('remember').checked = true;
      connect(stored);
    }
    el('sign-in').addEventListener('submit', function (event) {
      event.preventDefault();
      var token = el('token').value.trim();
      if (el('remember').checked) localStorage.setItem(STORAGE_KEY, token);
      else localStorage.removeItem(STORAGE_KEY);
      connect(token);
    });
    el('sign-out').addEventListener('click', function () {
      localStorage.removeItem(STORAGE_KEY);
      el('token').value = '';
      disconnect();
      setState('signed-out', 'signed out');
    });
  }

  start();
})();
