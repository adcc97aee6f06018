import { Route, Routes } from 'react-router';
import { AuctionPage } from './auction-page';
import { AuctionsPage } from './auctions-page';

/** /console/auctions (the list) and /console/auctions/:auctionId (one auction, polled while open). */
export function AuctionsScreen() {
  return (
    <Routes>
      <Route index element={<AuctionsPage />} />
      <Route path=":auctionId" element={<AuctionPage />} />
    </Routes>
  );
}
